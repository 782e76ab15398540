"""Background jobs answer on the GUI thread: failures as one line, overtaken requests skipped."""

import threading

import pytest

pytest.importorskip("PySide6")

from sysmap.errors import SysmapError
from sysmap.ui.worker import PolledWorker


def collect(worker, qtbot):
    answers = []
    worker.answered.connect(lambda token, result: answers.append((token, result, threading.get_ident())))
    return answers


def test_answers_and_failures_arrive_on_the_gui_thread(qapp, qtbot):
    worker = PolledWorker()
    answers = collect(worker, qtbot)
    tokens = []
    for work in (lambda: 42, lambda: 1 / 0, lambda: (_ for _ in ()).throw(SysmapError("no equations"))):
        tokens.append(worker.submit(work, "could not count"))
        assert worker.wait(5000)  # one at a time: a request made while another waits would overtake it
    ok, bad, refused = tokens
    by_token = {token: result for token, result, _ in answers}
    assert by_token[ok] == 42
    assert by_token[bad] == "could not count (ZeroDivisionError: division by zero)"
    assert by_token[refused] == "no equations"
    assert {thread for *_, thread in answers} == {threading.get_ident()}


def test_only_the_latest_request_counts(qapp, qtbot):
    worker = PolledWorker(latest_only=True)
    answers = collect(worker, qtbot)
    gate = threading.Event()
    ran = []
    worker.submit(lambda: gate.wait(5) and ran.append("first") or "first", "x")  # running: answer dropped
    worker.submit(lambda: ran.append("second") or "second", "x")  # overtaken before it starts: not run
    last = worker.submit(lambda: ran.append("third") or "third", "x")
    gate.set()
    assert worker.wait(5000)
    assert [(token, result) for token, result, _ in answers] == [(last, "third")]
    assert "second" not in ran


def test_reports_arrive_before_the_answer_and_follow_ups_join_the_work(qapp, qtbot):
    worker = PolledWorker(latest_only=True)
    events = []
    worker.progress.connect(lambda token, item: events.append(("report", token, item, threading.get_ident())))
    worker.answered.connect(
        lambda token, result: events.append(("answer", token, result, threading.get_ident()))
    )

    def counting(job):
        for k in range(3):
            job.report(k)
        return "counted"

    first = worker.submit_job(counting, "x")
    follow = worker.submit(lambda: "follow-up", "x", overtake=False)  # joins: the first still runs
    assert worker.wait(5000)
    assert [event[:3] for event in events] == [
        ("report", first, 0),
        ("report", first, 1),
        ("report", first, 2),
        ("answer", first, "counted"),
        ("answer", follow, "follow-up"),
    ]
    assert {event[3] for event in events} == {threading.get_ident()}


def test_cancel_stops_running_work_and_drops_its_reports_and_answer(qapp, qtbot):
    worker = PolledWorker(latest_only=True)
    events = []
    worker.progress.connect(lambda token, item: events.append(item))
    worker.answered.connect(lambda token, result: events.append(result))
    started, stopped = threading.Event(), threading.Event()

    def endless(job):
        job.report("early")
        started.set()
        while not job.cancelled():
            stopped.wait(0.01)
        stopped.set()
        return "cut short"

    worker.submit_job(endless, "x")
    assert started.wait(5)
    worker.cancel()
    assert worker.wait(5000)
    assert stopped.is_set()
    assert events == []
