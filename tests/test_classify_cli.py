"""`woq-console audit train` and `woq-console classify` (docs/audit.md, docs/cli.md;
docs/audit-classifier.md): output, JSON shape, CSV input, exit codes, read-only."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from tests.test_classifier import _fill
from woq_tui.cli import main
from woq_tui.store.db import make_engine


@pytest.fixture
def trained(database_url, capsysbinary):
    engine = make_engine(database_url)
    _fill(engine)
    engine.dispose()
    assert main(["--lang", "en", "audit", "train", "--db", database_url]) == 0
    capsysbinary.readouterr()
    return database_url


def _models(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM audit_model")).scalar_one()
    finally:
        engine.dispose()


def test_audit_train_prints_accuracy_and_per_type_figures(database_url, capsysbinary):
    engine = make_engine(database_url)
    _fill(engine)
    engine.dispose()
    assert main(["--lang", "zh", "audit", "train", "--db", database_url]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")
    assert "留出检验准确率：100.0 %" in out and "模型已保存到数据库" in out
    header = next(line for line in out.splitlines() if line.startswith("类型"))
    repair = next(line for line in out.splitlines() if line.startswith("故障报修"))
    consultation = next(line for line in out.splitlines() if line.startswith("咨询"))
    from rich.cells import cell_len

    # columns aligned by display width: each row as wide as the header (CJK = 2 cells)
    assert cell_len(repair) == cell_len(consultation) == cell_len(header)
    assert _models(database_url) == 1


@pytest.mark.parametrize("flags", [["--read-only"], []], ids=["read-only", "viewer"])
def test_audit_train_is_refused_to_viewers_and_read_only(database_url, tmp_path, capsysbinary, flags):
    config = tmp_path / "config.toml"
    config.write_text('[console]\nrole = "viewer"\n' if not flags else "", encoding="utf-8")
    engine = make_engine(database_url)
    _fill(engine)
    engine.dispose()
    status = main(["--lang", "en", "--config", str(config), *flags, "audit", "train", "--db", database_url])
    err = capsysbinary.readouterr().err.decode()
    assert status == 2 and "refused" in err and err.count("\n") == 1
    assert _models(database_url) == 0


def test_audit_train_on_too_little_history_is_one_line_and_exit_1(database_url, capsysbinary):
    assert main(["--lang", "en", "audit", "train", "--db", database_url]) == 1
    err = capsysbinary.readouterr().err.decode().splitlines()
    assert err[-1].startswith("woq-console audit train: Too little history to train on: 0 resolved tickets")
    assert _models(database_url) == 0


def test_classify_text_as_text_and_json(trained, capsysbinary):
    assert main(["--lang", "en", "classify", "--db", trained, "我家停电了"]) == 0
    out = capsysbinary.readouterr().out.decode()
    assert out.splitlines()[1].startswith("Repair") and out.rstrip().endswith("我家停电了")
    assert main(["classify", "--db", trained, "--format", "json", "咨询一下电价"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert list(document) == ["predictions", "accuracy"] and document["accuracy"] is None
    [prediction] = document["predictions"]
    assert list(prediction) == ["summary", "type", "probability"]
    assert prediction["summary"] == "咨询一下电价" and prediction["type"] == "consultation"
    assert 0.0 < prediction["probability"] <= 1.0


def test_classify_a_csv_with_types_gives_the_accuracy(trained, tmp_path, capsysbinary):
    path = tmp_path / "mixed.csv"
    path.write_text("summary,type\n停电了快来,repair\n咨询电价,consultation\n投诉抢修慢,repair\n", encoding="utf-8")
    assert main(["classify", "--db", trained, "--file", str(path), "--format", "json"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert [p["type"] for p in document["predictions"]] == ["repair", "consultation", "complaint"]
    assert document["accuracy"] == pytest.approx(2 / 3)
    assert main(["--lang", "en", "classify", "--db", trained, "--file", str(path)]) == 0
    assert "Accuracy: 66.7 % (2/3 summaries with a type)" in capsysbinary.readouterr().out.decode()


def test_classify_reads_gbk_with_chinese_headers_and_types(trained, tmp_path, capsysbinary):
    path = tmp_path / "gbk.csv"
    path.write_bytes("受理内容,业务类型\n家里停电了,故障报修\n咨询过户,咨询\n没有类型的一行,\n".encode("gbk"))
    assert main(["classify", "--db", trained, "--file", str(path), "--format", "json"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert len(document["predictions"]) == 3 and document["accuracy"] == 1.0  # over the two with a type


@pytest.mark.parametrize(
    "content, argv, message",
    [
        ("text,type\n停电,repair\n", ["--file", "{path}"], "no summary column"),
        ("summary,type\n停电,outage\n", ["--file", "{path}"], "row 2: not a ticket type: 'outage'"),
        ("summary\n", ["--file", "{path}"], "no summaries"),
        (None, [], "Give either a summary TEXT or --file"),
        (None, ["停电", "--file", "x.csv"], "Give either a summary TEXT or --file"),
    ],
)
def test_classify_bad_input_is_one_line_and_exit_2(trained, tmp_path, capsysbinary, content, argv, message):
    path = tmp_path / "in.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    status = main(["--lang", "en", "classify", "--db", trained, *[a.format(path=path) for a in argv]])
    captured = capsysbinary.readouterr()
    err = captured.err.decode()
    assert status == 2 and captured.out == b"" and message in err and err.count("\n") == 1


def test_classify_a_missing_file_is_exit_1(trained, tmp_path, capsysbinary):
    assert main(["--lang", "en", "classify", "--db", trained, "--file", str(tmp_path / "nope.csv")]) == 1
    assert capsysbinary.readouterr().err.decode().count("\n") == 1


def test_classify_without_a_model_is_one_line_and_exit_1(database_url, capsysbinary):
    assert main(["--lang", "en", "classify", "--db", database_url, "停电"]) == 1
    captured = capsysbinary.readouterr()
    assert captured.out == b""
    assert captured.err.decode() == "woq-console classify: No classifier has been trained yet (run woq-console audit train)\n"


def test_classify_works_read_only(trained, capsysbinary):
    assert main(["--read-only", "classify", "--db", trained, "停电了"]) == 0


def test_classify_reads_an_xlsx(trained, tmp_path, capsysbinary):
    import openpyxl

    path = tmp_path / "summaries.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Summary", "Type"])
    book.active.append(["家里停电了", "repair"])
    book.active.append(["咨询电价", "咨询"])
    book.save(path)
    assert main(["classify", "--db", trained, "--file", str(path), "--format", "json"]) == 0
    document = json.loads(capsysbinary.readouterr().out)
    assert [p["type"] for p in document["predictions"]] == ["repair", "consultation"] and document["accuracy"] == 1.0
