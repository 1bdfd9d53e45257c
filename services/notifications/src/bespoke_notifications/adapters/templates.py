"""Writes emails from notifications with the Jinja2 templates shipped in the package:
``<template>.txt.j2`` (plain text) and ``<template>.html.j2`` (HTML, autoescaped)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bespoke_notifications.domain.emails import Email, Notification


class TemplateWriter:
    def __init__(self, backoffice_url: str) -> None:
        self._backoffice_url = backoffice_url.rstrip("/")
        self._env = Environment(
            loader=PackageLoader("bespoke_notifications", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=False,
        )

    def write(self, notification: Notification) -> Email:
        context = {
            **notification.context,
            "subject": notification.subject,
            "backoffice_url": self._backoffice_url,
        }
        return Email(
            dedup_key=notification.dedup_key,
            to=notification.to,
            subject=notification.subject,
            text=self._env.get_template(f"{notification.template}.txt.j2").render(context),
            html=self._env.get_template(f"{notification.template}.html.j2").render(context),
            sensitive=notification.sensitive,
            images=notification.images,
        )
