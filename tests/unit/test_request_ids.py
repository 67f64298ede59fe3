"""The gateway's request ids for the commands of one HTTP request."""
from gateway.rpc import RequestIds


def test_each_call_of_a_method_has_its_own_id_and_a_repeat_of_the_request_the_same_ones():
    first, repeat = RequestIds("k"), RequestIds("k")
    calls = ["ticketing.place_hold", "crm.add_note", "ticketing.place_hold"]
    ids = [first.next(m) for m in calls]
    assert ids == ["k", "k", "k/2"]  # one id per (method, n): the services key on both
    assert [repeat.next(m) for m in calls] == ids


def test_a_call_that_got_no_answer_is_retried_under_its_own_id():
    ids = RequestIds("k")
    assert ids.next("ticketing.place_hold") == "k"
    ids.unanswered("ticketing.place_hold")  # timed out: the retry is the same command
    assert ids.next("ticketing.place_hold") == "k"
    assert ids.next("ticketing.place_hold") == "k/2"
