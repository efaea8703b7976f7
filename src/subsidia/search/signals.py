"""The index follows the objects: after a change is committed (``transaction.on_commit``), the changed object is
reindexed, or dropped when it is deleted, unpublished or taken out of the directory.

Hooked on the models' signals rather than on the services, so that every way of changing an object (services,
admin, demo loader, shell) keeps the index right. A failing reindex is logged and never breaks the change itself
(``robust=True``); ``subsidia rebuild-search-index`` repairs the index."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import index
from .providers import Provider, providers


def _reindex_later(kind: str, object_id: Any) -> None:
    if object_id is not None:
        transaction.on_commit(lambda: index.index_object(kind, int(object_id)), robust=True)


def _remove_later(kind: str, object_id: Any) -> None:
    if object_id is not None:
        transaction.on_commit(lambda: index.remove(kind, int(object_id)), robust=True)


def _connect(provider: Provider) -> None:
    kind = provider.kind

    def saved(sender: Any, instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
        if not raw:
            _reindex_later(kind, instance.pk)

    def deleted(sender: Any, instance: models.Model, **kwargs: Any) -> None:
        _remove_later(kind, instance.pk)

    def m2m(sender: Any, instance: models.Model, action: str, reverse: bool, model: type[models.Model],
            pk_set: set[Any] | None, **kwargs: Any) -> None:
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            _reindex_later(kind, instance.pk)
        else:
            for pk in pk_set or ():  # a reverse clear names no object: left to the next change or rebuild
                _reindex_later(kind, pk)

    uid = f"search:{kind}"
    post_save.connect(saved, sender=provider.model, weak=False, dispatch_uid=f"{uid}:save")
    post_delete.connect(deleted, sender=provider.model, weak=False, dispatch_uid=f"{uid}:delete")
    for name in provider.m2m_fields:
        through = provider.model._meta.get_field(name).remote_field.through  # type: ignore[union-attr]
        m2m_changed.connect(m2m, sender=through, weak=False, dispatch_uid=f"{uid}:m2m:{name}")
    for model_path, fk in provider.dependents:
        dependent = apps.get_model(model_path)

        def part_changed(sender: Any, instance: models.Model, raw: bool = False, fk: str = fk,
                         **kwargs: Any) -> None:
            if not raw:
                _reindex_later(kind, getattr(instance, f"{fk}_id", None))

        post_save.connect(part_changed, sender=dependent, weak=False, dispatch_uid=f"{uid}:{model_path}:save")
        post_delete.connect(part_changed, sender=dependent, weak=False, dispatch_uid=f"{uid}:{model_path}:delete")


def connect() -> None:
    for provider in providers().values():
        _connect(provider)
