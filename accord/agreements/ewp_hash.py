"""The EWP ``iia-hash``, computed in Python exactly as the specification's XSLT does.

IIA API v7 defines the hash as the SHA-256 of the ``text-to-hash`` that the stylesheet
``transform_version_7.xsl`` (XSLT 2.0) produces from a get-response. The stylesheet writes
every leaf value and attribute of the cooperation conditions as ``_name=value_`` markers;
this module walks the same nodes in the same order with lxml, so the app needs no XSLT 2.0
processor. The tests compare the result with the stylesheet run by Saxon.

What the stylesheet does, and so what this code reproduces:

* ``_@terminated-as-a-whole@_`` first, when *any* ``cooperation-conditions`` element of the
  document (not only this IIA's) has ``terminated-as-a-whole`` equal to ``true`` or ``1``;
* ``_iia-id_N=…_`` for each ``partner`` (empty value when the partner has no ``iia-id``);
* for each child of ``cooperation-conditions`` (one mobility specification), every
  descendant element in document order, except the contents of ``sending-contact`` and
  ``receiving-contact``, the two academic-year elements, and anything under an element
  flagged ``not-yet-defined``: its attributes as ``_@gp.parent.element.attribute=value@_``
  (``not-yet-defined`` and ``v6-value`` left out) and, when it has no child element, its
  string value as ``_parent-of-parent.parent.element=value_`` (an ``isced-f-code`` with a
  ``v6-value`` contributes that value instead);
* then ``_receiving-first-academic-year-id=…_`` and ``_receiving-last-academic-year-id=…_``
  of that specification.

Values are taken raw: no whitespace is trimmed, as the stylesheet trims none. Names are
matched by local name whatever their namespace, as the stylesheet does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lxml import etree

CONTACTS = {"sending-contact", "receiving-contact"}
ACADEMIC_YEARS = ("receiving-first-academic-year-id", "receiving-last-academic-year-id")
FLAG_VALUES = {"true", "1"}


@dataclass(frozen=True)
class IiaHash:
    """The hash of one ``iia`` element, with what the stylesheet outputs beside it."""

    iia_id: str
    text: str
    hash: str
    valid_for_approval: bool


class HashError(ValueError):
    """The document is shaped so that the stylesheet itself would fail on it."""


def _local(node) -> str:
    return etree.QName(node).localname


def _elements(nodes):
    return [node for node in nodes if isinstance(node.tag, str)]


def _children(element, name: str) -> list:
    return [child for child in _elements(element) if _local(child) == name]


def _string(element) -> str:
    """The XPath string value: every descendant text node, comments and instructions left out."""
    return str(element.xpath("string()"))


def _one(elements: list, name: str) -> etree._Element | None:
    if len(elements) > 1:
        raise HashError(f"more than one {name} where the stylesheet expects at most one")
    return elements[0] if elements else None


def _dump_element(element, name: str) -> str:
    if element is None:
        value = ""
    elif _local(element) == "isced-f-code" and element.get("v6-value"):
        value = element.get("v6-value")
    else:
        value = _string(element)
    return f"_{name}={value}_"


def _not_yet_defined(element) -> bool:
    node = element
    while node is not None:
        if node.get("not-yet-defined") in FLAG_VALUES:
            return True
        node = node.getparent()
    return False


def _inside_contact(element) -> bool:
    return any(_local(ancestor) in CONTACTS for ancestor in element.iterancestors())


def _mobility_text(mobility) -> str:
    parts: list[str] = []
    for element in mobility.iterdescendants():
        if not isinstance(element.tag, str):
            continue
        if _inside_contact(element) or _local(element) in ACADEMIC_YEARS or _not_yet_defined(element):
            continue
        parent = element.getparent()
        grandparent = parent.getparent()
        path = f"{_local(grandparent)}.{_local(parent)}.{_local(element)}"
        for attribute, value in element.attrib.items():
            # ``@not-yet-defined`` and ``@v6-value`` in the stylesheet name attributes in no namespace.
            if attribute in ("not-yet-defined", "v6-value"):
                continue
            parts.append(f"_@{path}.{etree.QName(attribute).localname}={value}@_")
        if not _elements(element):
            parts.append(_dump_element(element, path))
    for name in ACADEMIC_YEARS:
        parts.append(_dump_element(_one(_children(mobility, name), name), name))
    return "".join(parts)


def _terminated(root) -> bool:
    for element in root.iter():
        if isinstance(element.tag, str) and _local(element) == "cooperation-conditions":
            for attribute, value in element.attrib.items():
                if etree.QName(attribute).localname == "terminated-as-a-whole" and value in FLAG_VALUES:
                    return True
    return False


def _valid_for_approval(root) -> bool:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("not-yet-defined") in FLAG_VALUES or element.get("v6-value"):
            return False
    return True


def iia_text_to_hash(iia, *, terminated: bool | None = None) -> str:
    """The ``text-to-hash`` of one ``iia`` element (``terminated`` is looked up in its document)."""
    if terminated is None:
        terminated = _terminated(iia.getroottree().getroot())
    parts = ["_@terminated-as-a-whole@_" if terminated else ""]
    for position, partner in enumerate(_children(iia, "partner"), start=1):
        parts.append(_dump_element(_one(_children(partner, "iia-id"), "iia-id"), f"iia-id_{position}"))
    for conditions in _children(iia, "cooperation-conditions"):
        for mobility in _elements(conditions):
            parts.append(_mobility_text(mobility))
    return "".join(parts)


def iia_hash(iia) -> str:
    """The ``iia-hash`` of one ``iia`` element: SHA-256 of its text-to-hash, in hexadecimal."""
    return hashlib.sha256(iia_text_to_hash(iia).encode("utf-8")).hexdigest()


def document_hashes(root) -> list[IiaHash]:
    """What the stylesheet outputs for a whole get-response: one entry per ``iia`` element."""
    if isinstance(root, etree._ElementTree):
        root = root.getroot()
    terminated = _terminated(root)
    valid = _valid_for_approval(root)
    found = []
    for iia in root.iter():
        if not isinstance(iia.tag, str) or _local(iia) != "iia":
            continue
        text = iia_text_to_hash(iia, terminated=terminated)
        partners = _children(iia, "partner")
        ids = _children(partners[0], "iia-id") if partners else []
        found.append(
            IiaHash(
                iia_id=" ".join(_string(i) for i in ids),
                text=text,
                hash=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                valid_for_approval=valid,
            )
        )
    return found
