"""Render clinical records (consent forms, treatment plans) from HTML to PDF/A-3b.

This module is deliberately pure: strings and bytes in, bytes out. It does not import
Django, read settings or touch the database, so it can run in a Celery worker, a
management command or a test without any setup.

Security: rendering never fetches anything. The HTML comes from our own templates but
contains patient-entered text; a stray ``<img src="http://...">`` or
``<link href="file:///etc/passwd">`` must neither leak data to a third party nor embed
local files into a medical record. :class:`DataOnlyURLFetcher` therefore allows only
``data:`` URIs and refuses every other scheme (``file:``, ``http:``, ``https:``, ``ftp:``
...). A refused resource is logged by WeasyPrint and left out; rendering still succeeds.
Images and fonts must be inlined as ``data:`` URIs by the caller.

Running header and footer come from ``templates/pdf/record.css`` (see that file for the
class names the HTML must carry: ``running-patient-*`` and ``running-doc-*``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pypdf
from weasyprint import CSS, HTML, Attachment
from weasyprint.urls import URLFetcher

from records.fonts import font_config

__all__ = [
    "RECORD_CSS_PATH",
    "DataOnlyURLFetcher",
    "PdfAttachment",
    "pdf_text",
    "pdf_xmp_metadata",
    "read_record_css",
    "render_pdf",
]

PDF_VARIANT = "pdf/a-3b"

#: The stylesheet with the A4 page layout, running header/footer and seal reserve.
RECORD_CSS_PATH = Path(__file__).resolve().parent.parent / "templates" / "pdf" / "record.css"

#: Metadata keys that map onto standard PDF /Info + XMP fields; any other key is written
#: as a custom /Info entry (letters and digits only, as WeasyPrint sanitises keys).
_STANDARD_METADATA_KEYS = frozenset({"author", "subject", "keywords", "creator", "lang"})


class DataOnlyURLFetcher(URLFetcher):  # type: ignore[misc]  # weasyprint is untyped
    """A WeasyPrint URL fetcher that serves ``data:`` URIs and refuses everything else.

    WeasyPrint requires a :class:`URLFetcher` instance (it reads private attributes of
    it), so this subclasses it rather than being a plain function. Raising a
    ``ValueError`` makes WeasyPrint skip the resource with a warning instead of
    aborting, because ``fail_on_errors`` stays ``False``.
    """

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False, timeout=1)

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
        """Return the decoded ``data:`` URI; raise ``ValueError`` for any other URL."""
        if not url.strip().lower().startswith("data:"):
            raise ValueError(f"external resources are disabled in PDF rendering: {url!r}")
        return super().fetch(url, headers)


@dataclass(frozen=True)
class PdfAttachment:
    """A file embedded in the PDF/A-3 (e.g. the machine-readable FHIR JSON of a consent).

    ``relationship`` is the PDF/A-3 ``/AFRelationship``: ``Source``, ``Data``,
    ``Alternative``, ``Supplement`` or ``Unspecified``.
    """

    name: str
    data: bytes
    description: str | None = None
    relationship: str = "Data"


def read_record_css() -> str:
    """Return the bundled record stylesheet (``templates/pdf/record.css``) as text."""
    return RECORD_CSS_PATH.read_text(encoding="utf-8")


def render_pdf(
    html: str,
    *,
    title: str,
    stylesheets: Sequence[str] | None = None,
    metadata: dict[str, str] | None = None,
    attachments: Sequence[PdfAttachment] | None = None,
) -> bytes:
    """Render an HTML string to PDF/A-3b bytes.

    Preconditions: ``html`` is a complete, already-escaped document; every image/font is
    inlined as a ``data:`` URI (anything else is refused, see module docstring).
    ``stylesheets`` are CSS *source texts*, applied after the HTML's own ``<style>``;
    ``None`` means "the bundled record.css", ``[]`` means none. ``title`` becomes the PDF
    title (PDF/A wants one, and it is what viewers show instead of a file name).
    ``metadata`` keys ``author``, ``subject``, ``keywords`` (comma separated),
    ``creator`` and ``lang`` map to standard fields; other keys become custom /Info
    entries. The output is not reproducible byte-for-byte (WeasyPrint adds a random
    document ID), so hash the result, not the input, when you need a fingerprint.
    """
    fetcher = DataOnlyURLFetcher()
    css_texts = [read_record_css()] if stylesheets is None else list(stylesheets)
    fonts = font_config()  # one per process (records/fonts.py): flat memory, 30 ms saved
    document = HTML(string=html, url_fetcher=fetcher).render(
        stylesheets=[
            CSS(string=text, url_fetcher=fetcher, font_config=fonts) for text in css_texts
        ],
        pdf_variant=PDF_VARIANT,
        font_config=fonts,
    )
    _apply_metadata(document.metadata, title, metadata or {})
    pdf_attachments = [_to_weasy_attachment(item, fetcher) for item in attachments or ()]
    result = document.write_pdf(
        pdf_variant=PDF_VARIANT,
        attachments=pdf_attachments or None,
        custom_metadata=True,
    )
    if not isinstance(result, bytes):  # only when a target file is passed, which we don't
        raise TypeError("WeasyPrint did not return PDF bytes")
    return result


def _apply_metadata(target: Any, title: str, metadata: dict[str, str]) -> None:
    """Copy title and metadata onto WeasyPrint's ``DocumentMetadata`` (overrides HTML)."""
    target.title = title
    if "author" in metadata:
        target.authors = [metadata["author"]]
    if "subject" in metadata:
        target.description = metadata["subject"]
    if "keywords" in metadata:
        target.keywords = [k.strip() for k in metadata["keywords"].split(",") if k.strip()]
    if "creator" in metadata:
        target.generator = metadata["creator"]
    if "lang" in metadata:
        target.lang = metadata["lang"]
    custom = {k: v for k, v in metadata.items() if k not in _STANDARD_METADATA_KEYS}
    target.custom = {**target.custom, **custom}


def _to_weasy_attachment(item: PdfAttachment, fetcher: DataOnlyURLFetcher) -> Any:
    """Wrap in-memory bytes as a WeasyPrint attachment (no file system, no fetching)."""
    return Attachment(
        string=item.data,
        name=item.name,
        description=item.description,
        relationship=item.relationship,
        url_fetcher=fetcher,
    )


def pdf_text(pdf_bytes: bytes) -> str:
    """Extract the text of all pages, pages separated by form feeds (``\\f``).

    Used by tests and by verification screens to show what a signed file says. Raises
    ``pypdf.errors.PdfReadError`` (or ``ValueError``) on a file that is not a PDF.
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    return "\f".join(page.extract_text() or "" for page in reader.pages)


def pdf_xmp_metadata(pdf_bytes: bytes) -> str:
    """Return the raw XMP packet of the document catalog, or ``""`` if there is none.

    Lets callers and tests check the PDF/A claim (``pdfaid:part``/``conformance``).
    """
    reader = pypdf.PdfReader(io.BytesIO(pdf_bytes))
    ref = reader.root_object.get("/Metadata")
    if ref is None:
        return ""
    data = ref.get_object().get_data()
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else str(data)
