"""The type classifier (docs/audit-classifier.md): features, the stored arrays, training
on a deterministic four fifths, and load_model's paths (a model, none, a damaged one,
one with another feature schema, a database without the table), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import text, update

from tests.conftest import NOW
from tests.factories import add_all, station, ticket
from woq_tui.classifier import NO_MODEL, NO_TABLE, OTHER_SCHEMA, UNREADABLE, load_model, storage, train_and_store
from woq_tui.classifier.features import SCHEMA, columns, matrix, normalise
from woq_tui.classifier.model import Predictor, UnreadableModel, Weights
from woq_tui.classifier.training import NotEnoughHistory, held_back, split, train
from woq_tui.domain.models import AuditModel
from woq_tui.store.db import make_engine

PHRASES = {
    "repair": ("家里停电了快来修", "线路跳闸没电", "电表冒烟停电", "变压器坏了全村停电", "进户线断了没电"),
    "consultation": ("咨询电费怎么交", "问一下阶梯电价", "咨询过户要什么材料", "户号怎么查询", "咨询峰谷电价"),
    "complaint": ("投诉抢修太慢", "投诉工作人员态度差", "投诉电费多收", "投诉停电不通知", "投诉装表拖延"),
}


def history(copies: int = 8) -> list[tuple[str, str, str]]:
    rows = []
    for kind, phrases in PHRASES.items():
        for index, phrase in enumerate(phrases):
            for copy in range(copies):
                rows.append((f"{kind[:3].upper()}{index}{copy:03d}", f"{phrase}{copy}号", kind))
    return rows


def test_normalise_folds_width_case_digits_and_punctuation():
    assert normalise("  ＡＢ１２３号楼！！！停电 ") == "ab0号楼 停电"
    assert normalise("12栋，3单元") == normalise("7栋,9单元") == "0栋 0单元"
    assert normalise(None) == normalise("   ") == ""


SAMPLES = ["停", "停电", "家里停电了，快来修！！", "Ab 12 号楼 😀 电表", "x" * 300, "电电电电"]


def test_one_text_and_a_batch_hash_alike():
    texts = [normalise(sample) for sample in SAMPLES]
    batch = matrix(["", *texts, ""]).tocsr()
    assert batch.shape == (len(texts) + 2, SCHEMA["n_features"]) and batch[0].nnz == batch[-1].nnz == 0
    for row, text_ in enumerate(texts, start=1):
        found, values = columns(text_)
        assert dict(zip(found.tolist(), values)) == pytest.approx(dict(zip(batch[row].indices.tolist(), batch[row].data)))
        assert float(values @ values) == pytest.approx(1.0)


def test_the_columns_of_a_text_never_change():
    # The schema's promise: a stored model reads the same under any library version.
    found, values = columns("停电了")
    assert found.tolist() == [35969, 76700, 123694, 171320, 193300, 217782]
    assert values.tolist() == pytest.approx([6 ** -0.5] * 6)


def test_the_split_is_a_deterministic_fifth_by_ticket_number():
    numbers = [f"T{n:08d}" for n in range(5000)]
    back = [number for number in numbers if held_back(number)]
    assert 0.17 < len(back) / len(numbers) < 0.23
    assert back == [number for number in reversed(numbers) if held_back(number)][::-1]
    train_counts, test_counts = split([(n, "停电", "repair") for n in numbers] + [("X1", "  ", "repair")])
    assert sum(train_counts.values()) + sum(test_counts.values()) == 5000  # blank summaries left out


def test_training_learns_and_measures_on_the_held_back_fifth():
    weights, evaluation = train(history())
    assert weights.classes == ("complaint", "consultation", "repair")
    assert evaluation.train_tickets + evaluation.test_tickets == 120 and evaluation.test_tickets > 0
    assert evaluation.accuracy == 1.0
    assert {score.type for score in evaluation.per_type} == set(PHRASES)
    predictor = Predictor(Weights.from_bytes(weights.to_bytes()))
    kinds = [kind for kind, _ in predictor.predict(["我家停电了", "咨询一下电价", "我要投诉你们"])]
    assert kinds == ["repair", "consultation", "complaint"]
    many = predictor.predict(["我家停电了"] * 40)  # the batched path gives the same answer
    assert many[0] == pytest.approx(predictor.predict(["我家停电了"])[0])


def test_too_little_history_is_refused():
    with pytest.raises(NotEnoughHistory):
        train([("A1", "停电", "repair"), ("A2", "咨询", "consultation")])
    with pytest.raises(NotEnoughHistory):
        train([(f"A{n}", "停电", "repair") for n in range(100)])  # one type only


def test_two_types_give_two_rows_of_weights():
    rows = [r for r in history() if r[2] != "complaint"]
    weights, _ = train(rows)
    assert weights.coef.shape[0] == 2
    assert Predictor(weights).predict(["咨询电价"])[0][0] == "consultation"


def _npz(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "payload",
    [
        b"not a zip",
        b"",
        _npz(classes=np.array(["a", "b"]), columns=np.array([1]), coef=np.zeros((2, 2)), intercept=np.zeros(2)),
        _npz(classes=np.array(["a", "b"], dtype=object), columns=np.array([1]), coef=np.zeros((2, 1)), intercept=np.zeros(2)),
        _npz(classes=np.array(["a", "b"]), columns=np.array([1 << 30]), coef=np.zeros((2, 1)), intercept=np.zeros(2)),
        _npz(classes=np.array(["a", "b"]), columns=np.array([1]), coef=np.full((2, 1), np.nan), intercept=np.zeros(2)),
        _npz(classes=np.array(["a", "b"]), columns=np.array([1]), coef=np.zeros((2, 1))),
    ],
    ids=["garbage", "empty", "shapes", "pickled-object-array", "column-out-of-range", "nan", "missing-array"],
)
def test_a_damaged_payload_is_unreadable_never_a_crash(payload):
    with pytest.raises(UnreadableModel):
        Weights.from_bytes(payload)


# --- stored in the database: SQLite and PostgreSQL ---------------------------------


def _fill(engine, copies: int = 8) -> None:
    rows = [station()]
    for ticket_no, summary, kind in history(copies):
        rows.append(ticket(NOW - timedelta(days=2), ticket_no=ticket_no, type=kind, summary=summary,
                           status="resolved", resolved_at=NOW - timedelta(days=1)))  # fmt: skip
    # open tickets and blank summaries are not history
    rows.append(ticket(NOW, ticket_no="OPEN1", type="praise", summary="表扬师傅"))
    rows.append(ticket(NOW, ticket_no="BLANK1", type="praise", summary="  ", status="resolved", resolved_at=NOW))
    add_all(engine, *rows)


def test_train_store_and_load(engine):
    assert load_model(engine) == (None, NO_MODEL)
    _fill(engine)
    evaluation = train_and_store(engine, NOW, "D1023")
    assert evaluation.train_tickets + evaluation.test_tickets == 120
    model, reason = load_model(engine)
    assert reason is None and model.classes == ("complaint", "consultation", "repair")
    assert model.info.trained_at == NOW and model.info.accuracy == evaluation.accuracy
    assert [kind for kind, _ in model.predict(["停电了", "咨询电价"])] == ["repair", "consultation"]
    with engine.connect() as connection:
        row = connection.execute(text("SELECT trained_by, library, features, metrics FROM audit_model")).one()
    assert row.trained_by == "D1023" and row.library.startswith("scikit-learn ")
    assert json.loads(row.features) == SCHEMA
    assert json.loads(row.metrics)["per_type"]["repair"]["support"] > 0


def test_the_latest_model_wins_and_old_ones_are_pruned(engine):
    _fill(engine)
    for day in range(storage.KEEP + 2):
        train_and_store(engine, NOW + timedelta(days=day), "D1023")
    model, _ = load_model(engine)
    assert model.trained_at == NOW + timedelta(days=storage.KEEP + 1)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_model")).scalar_one() == storage.KEEP


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"payload": b"PK\x03\x04 broken"}, UNREADABLE),
        ({"payload": None}, UNREADABLE),
        ({"metrics": "{not json"}, UNREADABLE),
        ({"features": json.dumps({**SCHEMA, "ngram_range": [2, 4]})}, OTHER_SCHEMA),
        ({"features": json.dumps({**SCHEMA, "n_features": 1 << 20})}, OTHER_SCHEMA),
        ({"features": None}, OTHER_SCHEMA),
    ],
    ids=["corrupt-payload", "no-payload", "bad-metrics", "other-ngrams", "other-width", "no-schema"],
)
def test_an_unusable_model_is_a_reason_not_a_crash(engine, change, reason):
    _fill(engine)
    train_and_store(engine, NOW, "D1023")
    with engine.begin() as connection:
        connection.execute(update(AuditModel.__table__).values(**change))
    assert load_model(engine) == (None, reason)


def test_a_database_without_the_model_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE ticket (id INTEGER PRIMARY KEY)"))
    try:
        assert load_model(engine) == (None, NO_TABLE)
    finally:
        engine.dispose()
