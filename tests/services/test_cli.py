"""``heatrules services | apply | workorder`` through ``heatrules.cli.main``: exit codes, JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from heatrules.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "services"


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables wide enough that no phrase a test looks for is wrapped."""
    monkeypatch.setenv("COLUMNS", "300")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def json_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


# ---------------------------------------------------------------------- services
def test_services_lists_all_twenty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "services")
    assert code == 0
    for item in ("1.1", "2.1", "5.1", "6.2", "7.1", "7.10"):
        assert item in out
    assert "96677" in out
    assert "居民停热申请-报停业务" in out


def test_services_list_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "services", "list", "--lang", "en")
    assert code == 0
    assert "Residential suspension" in out and "Supervision phone" in out


def test_services_show_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "services", "show", "2.1")
    assert code == 0
    assert "停止供热申请表" in out and "applied_by_deadline" in out and "SUS" in out
    code, out, _ = run(capsys, "services", "show", "2.1", "--lang", "en")
    assert code == 0
    assert "process steps" in out and "Collect the heat-loss compensation fee" in out


def test_services_show_a_hotline_item_shows_its_flow(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "services", "show", "7.4", "--lang", "en")
    assert code == 0
    assert "receive → dispatch → measure → report → close" in out


def test_services_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "services", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert len(data["items"]) == 20
    code, out, _ = run(capsys, "services", "show", "6.1", "--format", "json")
    assert code == 0
    item = json.loads(out)
    assert item["id"] == "6.1" and item["needs"] == ["category"]
    assert item["legal_basis"][0]["document"] == "WID-08"


def test_services_show_unknown_item_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "services", "show", "2.3")
    assert code == 2
    assert "unknown item '2.3'" in err


# ---------------------------------------------------------------------- apply
def test_apply_example_refuses_some(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", str(EXAMPLES / "applications.yaml"))
    assert code == 1
    assert "不予受理" in out and "受理" in out


def test_apply_json_one_line_per_application(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", str(EXAMPLES / "applications.yaml"), "--format", "json")
    assert code == 1
    decisions = json_lines(out)
    assert [d["item"] for d in decisions] == ["2.1", "2.1", "4.2", "5.1", "1.2"]
    assert [d["accepted"] for d in decisions] == [True, False, False, True, False]
    for d in decisions:
        assert set(d) == {"item", "accepted", "missing_documents", "failed_checks"}
        for f in d["failed_checks"]:
            assert set(f) == {"check", "citation", "message_zh", "message_en"}
            assert set(f["citation"]) == {"document", "article", "text"}
    assert decisions[1]["missing_documents"] == ["agent_id_card"]
    assert [f["check"] for f in decisions[1]["failed_checks"]] == [
        "documents_complete",
        "applied_by_deadline",
    ]
    assert decisions[2]["failed_checks"][0]["citation"]["article"] == "第六条; 第十八条"


def test_apply_all_accepted_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", str(EXAMPLES / "application-6.2.yaml"), "--format", "json")
    assert code == 0
    assert json_lines(out) == [
        {"item": "6.2", "accepted": True, "missing_documents": [], "failed_checks": []}
    ]


def test_apply_english_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", str(EXAMPLES / "applications.yaml"), "--lang", "en")
    assert code == 1
    assert "refused" in out and "arrears of 312.50 yuan" in out


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "typo.yaml",
            '- {item: "1.2", documents: [payment_card]}\n'
            '- {item: "1.2", documents: [payment_card]}\n'
            '- {item: "2.1", season: "2025-2026", applied_on: "2025-09-01",'
            " documents: [ownership_proof, id_crad]}\n",
            "applications[2].documents[1]: unknown document code 'id_crad'",
        ),
        ("unknown.json", '[{"item": "8.1"}]', "applications[0].item: unknown item '8.1'"),
        ("broken.yaml", "- item: [unclosed\n", "not valid YAML"),
        ("broken.json", '[{"item": "1.2",]', "not valid JSON"),
        ("empty.yaml", "", "the file is empty"),
        ("apps.txt", "item: 1.2", "unknown file type '.txt'"),
        ("hotline.yaml", 'item: "7.4"\n', "is a hotline work order"),
    ],
)
def test_apply_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "apply", str(path), "--format", "json")
    assert code == 2
    assert message in " ".join(err.split())
    assert out == ""
    assert "Traceback" not in err


def test_apply_jsonl(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "apps.jsonl"
    path.write_text(
        '{"item": "1.2", "documents": ["payment_card"], "facts": {"in_network": true}}\n\n'
        '{"item": "1.2", "documents": ["payment_card"], "facts": {"in_network": false}}\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "apply", str(path), "--format", "json")
    assert code == 1
    assert [d["accepted"] for d in json_lines(out)] == [True, False]


def test_apply_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "apply", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert "cannot be read" in err


# ---------------------------------------------------------------------- workorder
def test_workorder_example(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "workorder", str(EXAMPLES / "workorder-7.1.yaml"))
    assert code == 0
    assert "closed" in out and "not_satisfied" in out


def test_workorder_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "workorder", str(EXAMPLES / "workorder-7.1.yaml"), "--format", "json"
    )
    assert code == 0
    (data,) = json_lines(out)
    assert data["item"] == "7.1" and data["order_id"] == "WO-20251203-0001"
    assert data["state"] == "closed"
    assert len(data["history"]) == 10
    assert data["history"][3] == {
        "index": 3,
        "at": "2025-12-04T10:00",
        "event": "revisit",
        "from": "handled",
        "to": "not_satisfied",
        "data": {"satisfied": False},
    }
    assert "measurement" not in data


def test_workorder_measurement_goes_into_a_6_2_application(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(
        capsys, "workorder", str(EXAMPLES / "workorder-7.4.yaml"), "--format", "json"
    )
    assert code == 0
    (data,) = json_lines(out)
    assert data["measurement"] == {
        "room": "bedroom",
        "room_area_m2": "14.00",
        "measured_at": "2025-12-03T10:00",
        "celsius": "15.5",
    }
    application = {
        "item": "6.2",
        "season": "2025-2026",
        "documents": ["measurement_record", "supply_contract", "ownership_proof", "id_card"],
        "facts": {"measurement": data["measurement"]},
    }
    path = tmp_path / "apply.json"
    path.write_text(json.dumps([application]), encoding="utf-8")
    code, out, _ = run(capsys, "apply", str(path), "--format", "json")
    assert code == 0
    # the example 6.2 application carries exactly this measurement
    text = (EXAMPLES / "application-6.2.yaml").read_text(encoding="utf-8")
    assert 'measured_at: "2025-12-03T10:00", celsius: "15.5"' in text


def test_workorder_invalid_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "workorder-invalid.yaml")
    code, out, _ = run(capsys, "workorder", path, "--format", "json")
    assert code == 1
    (data,) = json_lines(out)
    assert data["item"] == "7.10" and data["order_id"] == "WO-20251203-0003"
    assert {k: v for k, v in data["error"].items() if k != "message"} == {
        "index": 2,
        "event": "report",
        "state": "answered",
        "allowed": ["close"],
    }
    code, out, _ = run(capsys, "workorder", path, "--lang", "en")
    assert code == 1
    assert "invalid event 2 'report' is not allowed in state 'answered'; allowed: close" in out


def test_workorder_reasons_are_chinese_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    # user trial: `无效：event 2 'report' is not allowed in state 'answered'; allowed: close`
    path = str(EXAMPLES / "workorder-invalid.yaml")
    code, out, _ = run(capsys, "workorder", path)
    assert code == 1
    assert "无效：事件 2 'report' 在状态 'answered' 下不允许；允许：close" in out
    assert "not allowed" not in out and "allowed:" not in out
    code, out, _ = run(capsys, "workorder", path, "--format", "json")
    assert json_lines(out)[0]["error"]["message"] == (
        "event 2 'report' is not allowed in state 'answered'; allowed: close"
    )


def test_apply_chinese_table_has_no_english_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "apply", str(EXAMPLES / "applications.yaml"))
    assert code == 1
    assert "依据：" in out and "basis" not in out
    for english in ("missing documents", "not established", "applied on", "arrears of"):
        assert english not in out


def test_workorder_for_an_application_item_says_so_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "order.yaml"
    path.write_text('item: "2.1"\norder_id: x\nevents: []\n', encoding="utf-8")
    code, out, err = run(capsys, "workorder", str(path))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert "item: 2.1 (居民停热申请-报停业务) is an application" in lines[0]
    assert "events: no events" in lines[1]


def test_apply_reports_a_bad_code_and_a_missing_season_together(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "apps.yaml"
    path.write_text(
        'applications:\n  - {item: "2.1", applied_on: "2025-09-18", documents: [id_crad]}\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "apply", str(path))
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert "applications[0].documents[0]: unknown document code 'id_crad'" in lines[0]
    assert "applications[0].season: required for item 2.1" in lines[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'item: "2.1"\norder_id: x\nevents: [{at: "2025-12-03T08:00", event: receive}]\n',
            "is an application, not a hotline work order",
        ),
        (
            'item: "7.1"\norder_id: x\nevents: [{at: "2025-12-03", event: receive}]\n',
            "events[0].at",
        ),
        (
            'item: "7.1"\norder_id: x\nevents: [{at: "2025-12-03T08:00", event: receive}]\nnote: y\n',
            "note: unknown key",
        ),
        ("- a\n- b\n", "expected a work order"),
        ("item: [\n", "not valid YAML"),
    ],
)
def test_workorder_bad_input_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "workorder", str(path), "--format", "json")
    assert code == 2
    assert message in " ".join(err.split())
    assert out == ""


def test_workorder_unknown_event_is_invalid_not_bad_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "order.json"
    path.write_text(
        json.dumps(
            {
                "item": "7.3",
                "order_id": "WO-J",
                "events": [
                    {"at": "2025-12-03T08:00", "event": "receive"},
                    {"at": "2025-12-03T08:05", "event": "dispatched"},
                ],
            }
        ),
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "workorder", str(path), "--format", "json")
    assert code == 1
    (data,) = json_lines(out)
    assert data["error"]["event"] == "dispatched" and data["error"]["allowed"] == ["dispatch"]


def test_every_bad_input_problem_on_its_own_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- {item: 2.1, season: 2025-2026, applied_on: 2025-9-18, documents: [id_crad]}\n"
        "- {item: 7.10}\n",
        encoding="utf-8",
    )
    code, _, err = run(capsys, "apply", str(path))
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 3
    assert lines[0].endswith(
        "applications[0].applied_on: '2025-9-18' is not an ISO calendar date YYYY-MM-DD"
    )
    assert "applications[0].documents[0]: unknown document code 'id_crad'" in lines[1]
    assert "applications[1].item: 7.10" in lines[2]


def test_brackets_in_an_order_id_are_printed_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "order.yaml"
    path.write_text(
        'item: "7.10"\norder_id: "WO-[bold]1"\n'
        'events: [{at: "2025-12-03T08:00", event: receive}, {at: "2025-12-03T08:01", event: answer}]\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "workorder", str(path))
    assert code == 0
    assert "WO-[bold]1" in out and "answered" in out


# --- found by a new user ------------------------------------------------------------------


def test_apply_and_workorder_read_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io
    import json as _json

    from heatrules.cli import main as cli_main

    order = {
        "item": "7.10",
        "order_id": "X",
        "events": [
            {"at": "2025-12-03T09:00", "event": "receive"},
            {"at": "2025-12-03T09:05", "event": "answer"},
            {"at": "2025-12-03T09:10", "event": "close"},
        ],
    }
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(_json.dumps(order).encode())))
    assert cli_main(["workorder", "-", "--format", "json"]) == 0
    assert _json.loads(capsys.readouterr().out)["state"] == "closed"


@pytest.mark.parametrize(
    ("command", "content", "hint"),
    [
        ("apply", {"item": "7.1", "order_id": "X", "events": []}, "heatrules workorder"),
        ("workorder", {"cases": []}, "heatrules bill"),
        ("apply", {"cases": [{"season": "2024-2025", "account": {"id": "1"}}]}, "heatrules bill"),
    ],
)
def test_the_wrong_file_points_to_the_right_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, content: object, hint: str
) -> None:
    import json as _json

    from heatrules.cli import main as cli_main

    f = tmp_path / "f.json"
    f.write_text(_json.dumps(content), encoding="utf-8")
    assert cli_main([command, str(f)]) == 2
    assert hint in capsys.readouterr().err
