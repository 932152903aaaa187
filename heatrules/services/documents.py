"""The documents an application may present (运行要件): a closed vocabulary of codes.

services.md: a document is named by its code; an unknown code is bad input, never a missing
document, so that a typo (``id_crad``) cannot read as "not presented". The items that require
each document are in the catalogue data (``catalogue.yaml``), not here.

>>> DOCUMENTS["id_card"].zh
'本人有效身份证件'
>>> document_code("id_crad")
Traceback (most recent call last):
...
ValueError: unknown document code 'id_crad' (did you mean 'id_card'?)
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

from ..textyaml import JsonNumber, NonFinite


@dataclass(frozen=True)
class DocumentKind:
    """One kind of document: its code and its Chinese and English names."""

    code: str
    zh: str
    en: str


def _kinds(*rows: tuple[str, str, str]) -> dict[str, DocumentKind]:
    return {code: DocumentKind(code, zh, en) for code, zh, en in rows}


DOCUMENTS: dict[str, DocumentKind] = _kinds(
    ("ownership_proof", "房屋产权 / 权属证明", "proof of ownership of the premises"),
    ("supply_contract", "供热合同 / 供用热合同", "heat supply contract"),
    ("payment_card", "缴费信息卡", "payment information card"),
    ("id_card", "本人有效身份证件", "the applicant's own valid ID card"),
    ("transferor_id_card", "过户转出方有效身份证件", "valid ID of the transferring party"),
    ("transferee_id_card", "过户转入方有效身份证件", "valid ID of the receiving party"),
    ("legal_rep_id", "企业法人有效身份证", "valid ID of the legal representative"),
    ("power_of_attorney", "授权委托书", "power of attorney"),
    ("owner_id_copy", "用热户本人有效身份证件复印件", "copy of the account holder's valid ID"),
    ("agent_id_card", "受托人有效身份证件", "the agent's valid ID card"),
    ("suspension_form", "停止供热申请表", "heating suspension application form"),
    ("unit_suspension_request", "产权单位停热申请", "suspension request of the owning unit"),
    ("suspension_agreement", "停热协议书", "suspension agreement"),
    ("restoration_request", "恢复用热申请", "restoration request"),
    ("unit_change_request", "原用热单位变更申请", "change request of the former user unit"),
    ("household_register", "户口本", "household register (hukou booklet)"),
    ("retirement_certificate", "离休干部离休证", "retired cadre's retirement certificate"),
    (
        "heating_office_certificate",
        "市供热办依据老干部管理部门开具的证明",
        "certificate of the city heating office based on the cadre bureau's certification",
    ),
    ("measurement_record", "测温单", "indoor temperature measurement record"),
)
"""Every document code, in the order of services.md's table."""


def document_code(value: object) -> str:
    """Return ``value`` if it is a known document code; otherwise a ValueError naming it."""
    if isinstance(value, bool):
        raise ValueError(f"a document code is text, not a boolean ({str(value).lower()})")
    if isinstance(value, (JsonNumber, NonFinite, int, float)):
        raise ValueError(f"a document code is text, not a number ({value})")
    if not isinstance(value, str):
        raise ValueError(f"a document code is text, not {type(value).__name__}")
    if value in DOCUMENTS:
        return value
    close = difflib.get_close_matches(value, list(DOCUMENTS), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(DOCUMENTS)})"
    raise ValueError(f"unknown document code {value!r}{hint}")


DocCode = Annotated[
    str,
    BeforeValidator(document_code),
    WithJsonSchema({"type": "string", "enum": list(DOCUMENTS)}),
]
"""A document code, validated against :data:`DOCUMENTS` (pydantic field type)."""

__all__ = ["DOCUMENTS", "DocCode", "DocumentKind", "document_code"]
