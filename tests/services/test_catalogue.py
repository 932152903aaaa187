"""The catalogue data against the seed text (parsed here, independently) and the spec."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from heatrules.errors import CaseError, ParameterError
from heatrules.params import Parameters
from heatrules.services import CHECK_IDS, DOCUMENTS, Catalogue
from heatrules.services.applications import CHECKS
from heatrules.services.catalogue import PACKAGED
from heatrules.services.workorders import FLOWS

from .seedtext import seed_items, spec_text, squash

CAT = Catalogue.default()
IDS = list(CAT.items)
APPLICATION_IDS = [i.id for i in CAT if i.is_application]
HOTLINE_IDS = [i.id for i in CAT if not i.is_application]

# Each document code and the phrases of the seed's 运行要件 that name it.
SEED_PHRASES: dict[str, str] = {
    "ownership_proof": r"产权证明|权属证明",
    "supply_contract": r"供热合同|供用热合同|供热用热合同",
    "payment_card": r"缴费信息卡",
    "id_card": r"本人的?(房屋权属证明和)?有效身份证件",
    "transferor_id_card": r"过户双方有效身份证件",
    "transferee_id_card": r"过户双方有效身份证件",
    "legal_rep_id": r"企业法人的有效身份证",
    "power_of_attorney": r"授权委托书",
    "owner_id_copy": r"有效身份证件复印件",
    "agent_id_card": r"受委?托人的有效身份证",
    "suspension_form": r"停止供热申请表",
    "unit_suspension_request": r"产权单位停热申请",
    "suspension_agreement": r"停热协议书",
    "restoration_request": r"恢复用热(供热)?申请",
    "unit_change_request": r"原用热单位提出变更申请",
    "household_register": r"户口本",
    "retirement_certificate": r"离休证",
    "heating_office_certificate": r"市供热办公室依据老干部管理部门",
    "measurement_record": r"测温单",
}


def test_twenty_items_in_the_seed_order() -> None:
    assert IDS == list(seed_items())
    assert len(CAT) == 20


@pytest.mark.parametrize("item_id", IDS)  # the seed's ids: test_twenty_items_in_the_seed_order
def test_chinese_name_is_the_seeds(item_id: str) -> None:
    assert CAT.item(item_id).name.zh == seed_items()[item_id]["名称"]


@pytest.mark.parametrize("item_id", IDS)  # the seed's ids: test_twenty_items_in_the_seed_order
def test_required_documents_text_is_the_seeds(item_id: str) -> None:
    assert squash(CAT.item(item_id).documents.seed_zh) == squash(seed_items()[item_id]["运行要件"])


@pytest.mark.parametrize("item_id", IDS)  # the seed's ids: test_twenty_items_in_the_seed_order
def test_document_codes_are_those_the_seed_names(item_id: str) -> None:
    """The codes an item requires (in person, by an agent where the seed says so, by category)
    are exactly the documents its 运行要件 names."""
    seed = seed_items()[item_id]["运行要件"]
    named = {code for code, pattern in SEED_PHRASES.items() if re.search(pattern, seed)}
    docs = CAT.item(item_id).documents
    codes = set(docs.required)
    for extra in docs.by_category.values():
        codes |= set(extra)
    if docs.agent is not None and docs.agent.basis == "seed":
        codes |= set(docs.agent.adds)
    assert codes == named
    if seed == "无":
        assert not docs.required and docs.agent is None


def test_every_phrase_table_code_is_a_document() -> None:
    assert set(SEED_PHRASES) == set(DOCUMENTS)


@pytest.mark.parametrize("item_id", IDS)  # the seed's ids: test_twenty_items_in_the_seed_order
def test_process_steps_are_the_seeds(item_id: str) -> None:
    item = CAT.item(item_id)
    seed = seed_items()[item_id]["运行流程"]
    seed_steps = [s for s in re.split(r"第[一二三四五六七八九十]步：", seed) if s.strip()]
    note = re.search(r"（([^（）]*停热[^（）]*)）\s*$", seed_steps[-1])
    if note:
        seed_steps[-1] = seed_steps[-1][: note.start()]
        assert item.note is not None and squash(item.note.zh).rstrip("。") == squash(
            note.group(1)
        ).rstrip("。")
    else:
        assert item.note is None

    def norm(step: str) -> str:
        return squash(step).rstrip("；;。")

    assert [norm(s.zh) for s in item.steps] == [norm(s) for s in seed_steps]


@pytest.mark.parametrize("item_id", IDS)  # the seed's ids: test_twenty_items_in_the_seed_order
def test_boundary_bodies_and_phone_are_the_seeds(item_id: str) -> None:
    item = CAT.item(item_id)
    seed = seed_items()[item_id]
    assert squash(item.boundary.zh) == squash(seed["职责边界"])
    assert item.supervision_phone == re.sub(r"\D", "", seed["监督方式"])
    bodies = re.split(r"[、]|及集团下属|以及集团下属|下属", squash(seed["实施机构"]))
    names = [CAT.bodies[b].zh for b in item.bodies]
    # the seed names the group (天津能源投资集团有限公司) as the companies' parent
    expected = [b for b in bodies if b != "天津能源投资集团有限公司"]
    assert names == expected


@pytest.mark.parametrize("item_id", IDS)  # the seed's ids: test_twenty_items_in_the_seed_order
def test_legal_basis_is_the_seeds(item_id: str) -> None:
    """Each cited document's title is in the seed's 法定依据, and each quoted text too."""
    params = Parameters.default()
    seed = squash(seed_items()[item_id]["法定依据"])
    for cite in CAT.item(item_id).citations():
        title = params.document(cite.document).zh
        for part in re.findall(r"《[^》]+》", title) or [title]:
            assert squash(part) in seed, (cite.document, part)
        if cite.article != "全文":
            assert squash(cite.text) in seed, cite
            assert cite.article.split("（")[0] in seed


def test_documents_table_matches_the_spec() -> None:
    """services.md's table: codes and the items that require each (with the agent rules)."""
    rows = re.findall(r"^\| (`[a-z_]+`(?:, `[a-z_]+`)*) \| [^|]+ \| ([^|]+) \|$", spec_text(), re.M)
    assert rows
    seen: set[str] = set()
    for codes_cell, items_cell in rows:
        ids = set(re.findall(r"\d\.\d+", items_cell))
        for code in re.findall(r"`([a-z_]+)`", codes_cell):
            seen.add(code)
            if "any item handled by an agent" in items_cell:
                expected = set(APPLICATION_IDS)
                actual = {i.id for i in CAT if i.documents.agent and code in i.documents.agent.adds}
            elif "agent" in items_cell:
                expected = ids
                actual = {i.id for i in CAT if i.documents.agent and code in i.documents.agent.adds}
            elif "non-residential" in items_cell:
                expected = ids
                actual = {
                    i.id for i in CAT if code in i.documents.by_category.get("non_residential", ())
                }
            else:
                expected = ids
                actual = {i.id for i in CAT if code in i.documents.required}
            assert actual == expected, code
    assert seen == set(DOCUMENTS)


def test_agent_rules_follow_the_spec() -> None:
    replace = {"2.1", "2.2", "4.2"}
    for item in CAT:
        agent = item.documents.agent
        if not item.is_application:
            continue
        assert agent is not None
        assert set(agent.replaces) == ({"id_card"} if item.id in replace else set())
        assert {"power_of_attorney", "agent_id_card"} <= set(agent.adds)
        has_copy = item.id in replace | {"5.1"}
        assert ("owner_id_copy" in agent.adds) == has_copy
        assert agent.basis == ("decision" if item.id in {"1.1", "1.2", "6.1", "6.2"} else "seed")


def test_checks_are_implemented_and_defined() -> None:
    assert set(CHECKS) == set(CHECK_IDS) == set(CAT.checks)
    used = {c for item in CAT for c in item.checks}
    assert used == set(CHECK_IDS)


def test_hotline_items_have_flows_and_no_documents() -> None:
    assert HOTLINE_IDS == [f"7.{n}" for n in range(1, 11)]
    assert set(FLOWS) == set(HOTLINE_IDS)
    for item_id in HOTLINE_IDS:
        assert CAT.item(item_id).documents.required == ()


def test_needs_follow_the_spec() -> None:
    """season for 2.x, 3.1, 4.x (the deadline) and 6.2; category for 5.1 and 6.1."""
    needs = {i: set(CAT.needs(CAT.item(i))) for i in APPLICATION_IDS}
    assert {i for i, n in needs.items() if "category" in n} == {"5.1", "6.1"}
    assert {i for i, n in needs.items() if "season" in n} == {
        "2.1",
        "2.2",
        "3.1",
        "4.1",
        "4.2",
        "6.2",
    }
    assert {i for i, n in needs.items() if "applied_on" in n} == {"2.1", "2.2", "3.1", "4.1", "4.2"}


def test_catalogue_exports_as_json() -> None:
    data = json.loads(json.dumps(CAT.to_dict(), ensure_ascii=False))
    assert [i["id"] for i in data["items"]] == IDS
    first = data["items"][0]
    assert first["legal_basis"][0] == {
        "document": "PR-NON",
        "article": "第一条",
        "text": "每供热期非居民供热价格按建筑面积由每平方米36元调整为40元",
    }
    assert first["group"]["zh"] == "采暖费收费业务"
    assert first["bodies"][0]["zh"] == "天津市热电有限公司"


def test_unknown_item_names_the_known_ones() -> None:
    with pytest.raises(CaseError, match=r"item: unknown item '2\.3' \(items: 1\.1, 1\.2"):
        CAT.item("2.3")


# ---------------------------------------------------------------------- validation on load
def _broken(tmp_path: Path, old: str, new: str) -> Path:
    text = PACKAGED.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "catalogue.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "required: [payment_card]",
            "required: [payment_crad]",
            r"items\[1\]\.documents\.required\[0\]: unknown document code 'payment_crad' "
            r"\(did you mean 'payment_card'\?\)",
        ),
        (
            "{document: PR-NON,",
            "{document: PR-NONE,",
            r"items\[0\]\.legal_basis\[0\]\.document: unknown document 'PR-NONE'",
        ),
        (
            "checks: [documents_complete, in_network]",
            "checks: [documents_complete, in_netwrk]",
            r"items\[0\]\.checks\[1\]: unknown check 'in_netwrk'",
        ),
        ('- id: "1.2"', '- id: "1.1"', r"items\[1\]\.id: item '1\.1' appears twice"),
        ('supervision_phone: "96677"', 'supervision_phone: "9667x"', r"not a phone number"),
        ("parameter: suspension.apply_by", "parameter: suspension.apply_until", r"no parameter"),
        ("  tianjin_heating:\n", "  tianjin_heat:\n", r"unknown body 'tianjin_heating'"),
        (
            "    boundary: {zh: 各供热公司营业站,",
            "    boundry: {zh: 各供热公司营业站,",
            r"boundry: Extra",
        ),
    ],
)
def test_a_broken_catalogue_is_a_clear_error(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    with pytest.raises(ParameterError, match=message):
        Catalogue.load(_broken(tmp_path, old, new))


def test_a_copy_loads(tmp_path: Path) -> None:
    shutil.copy(PACKAGED, tmp_path / "catalogue.yaml")
    assert list(Catalogue.load(tmp_path / "catalogue.yaml").items) == IDS
