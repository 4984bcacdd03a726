"""An outbox entry's last error in the console's words (issue 15, item 6): what the API
or the network said stays in the entry; people read a phrase in their language."""

import pytest

from woq_tui.i18n import set_language
from woq_tui.outbox_words import error_words


@pytest.mark.parametrize(
    ("error", "zh", "en"),
    [
        (None, "", ""),
        ("timeout (ReadTimeout)", "调度接口未及时应答", "the dispatch API did not answer in time"),
        ("ConnectError: [Errno 111] Connection refused", "连不上调度接口", "cannot reach the dispatch API"),
        ("HTTP 409 version_conflict (current version 3, station S002)", "工单已被改动（版本冲突）",
         "the ticket changed meanwhile (version conflict)"),
        ("HTTP 404 unknown_station", "调度系统没有这个供电所", "the dispatch system has no such station"),
        ("HTTP 401 unauthorized", "调度接口拒绝了令牌", "the dispatch API refused the token"),
        ("HTTP 403", "调度接口拒绝了令牌", "the dispatch API refused the token"),
        ("HTTP 429 Too Many Requests", "调度接口繁忙", "the dispatch API is busy"),
        ("HTTP 503 Service Unavailable", "调度接口出错（HTTP 503）", "the dispatch API failed (HTTP 503)"),
        ("HTTP 418", "调度接口拒绝（HTTP 418）", "the dispatch API refused (HTTP 418)"),
    ],
)
def test_errors_read_as_words_in_both_languages(error, zh, en):
    set_language("zh")
    try:
        assert error_words(error) == zh
    finally:
        set_language("en")
    assert error_words(error) == en
