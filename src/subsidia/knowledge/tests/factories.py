from collections.abc import Iterable

import factory
from django.utils import timezone

from subsidia.knowledge.models import FaqQuestion, FaqTopic, GoodPractice, NewsItem, NewsTag
from subsidia.organisations.models import Municipality, Organisation


class GoodPracticeFactory(factory.django.DjangoModelFactory[GoodPractice]):
    class Meta:
        model = GoodPractice
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Bonne pratique {n}")
    slug = factory.Sequence(lambda n: f"bonne-pratique-{n}")
    summary = "Un projet communal d'accueil des nouveaux arrivants."
    body = "<p>Une <strong>description</strong>.</p>"
    state = "published"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def municipalities(self: GoodPractice, create: bool, extracted: Iterable[Municipality] | None,
                       **kwargs: object) -> None:
        if create and extracted:
            self.municipalities.set(extracted)

    @factory.post_generation
    def actors(self: GoodPractice, create: bool, extracted: Iterable[Organisation] | None,
               **kwargs: object) -> None:
        if create and extracted:
            self.actors.set(extracted)


class FaqTopicFactory(factory.django.DjangoModelFactory[FaqTopic]):
    class Meta:
        model = FaqTopic

    name = factory.Sequence(lambda n: f"Rubrique {n}")
    slug = factory.Sequence(lambda n: f"rubrique-{n}")


class FaqQuestionFactory(factory.django.DjangoModelFactory[FaqQuestion]):
    class Meta:
        model = FaqQuestion

    topic = factory.SubFactory(FaqTopicFactory)
    question = factory.Sequence(lambda n: f"Comment faire la démarche {n} ?")
    answer = "<p>Adressez-vous à votre commune.</p>"
    state = "published"


class NewsTagFactory(factory.django.DjangoModelFactory[NewsTag]):
    class Meta:
        model = NewsTag
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Mot {n}")
    slug = factory.LazyAttribute(lambda t: t.name.lower().replace(" ", "-"))


class NewsItemFactory(factory.django.DjangoModelFactory[NewsItem]):
    class Meta:
        model = NewsItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Actualité {n}")
    slug = factory.Sequence(lambda n: f"actualite-{n}")
    body = "<p>Le texte de l'actualité.</p>"
    state = "published"
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def tags(self: NewsItem, create: bool, extracted: Iterable[NewsTag] | None, **kwargs: object) -> None:
        if create and extracted:
            self.tags.set(extracted)
