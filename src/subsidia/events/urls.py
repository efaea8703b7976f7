from .urls_public import urlpatterns as public_urlpatterns
from .urls_staff import urlpatterns as staff_urlpatterns

app_name = "events"

urlpatterns = public_urlpatterns + staff_urlpatterns
