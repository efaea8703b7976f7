from ninja import NinjaAPI

from . import errors, openapi
from .auth import PUBLIC_AUTH
from .organisations import router as organisations_router

api = NinjaAPI(
    title="Subsidia API",
    version="1",
    description="The JSON API of Subsidia. Authenticate with `Authorization: Bearer <token>` "
    "(`subsidia issue-token EMAIL`) or with a signed-in browser session. Errors answer "
    '`{"errors": [{"code", "message", "field"}]}`.',
    urls_namespace="api",
    auth=PUBLIC_AUTH,
)
errors.install(api)
api.add_router("/", organisations_router)
api.add_router("/", "subsidia.api.grants.router")
api.add_router("/", "subsidia.api.grants_workflow.router")
api.add_router("/", "subsidia.api.grants_reviews.router")
api.add_router("/", "subsidia.api.grants_payments.router")
api.add_router("/", "subsidia.api.conventions.router")
api.add_router("/", "subsidia.api.meetings.router")
api.add_router("/", "subsidia.api.events.router")
api.add_router("/", "subsidia.api.knowledge.router")
api.add_router("/", "subsidia.api.search.router")
errors.install_fallbacks(api)
openapi.install(api)


