"""What Camunda 7's compensation tests do with their diagrams, where the driver needs to know it.

Read by hand from CompensateEventTest, CompensationEventParseInvalidProcessTest (bpmn/event/compensate/) and
TransactionSubProcessTest (bpmn/subprocess/transaction/) in camunda/camunda-bpm-platform at
3dd653fe66d352d15009a6b4b355e81bf683d319, engine/src/test/java/org/camunda/bpm/engine/test/; only the facts,
no test code. Each entry holds the fields of an `Expectation` (`bpmn_expectations.py`, which builds them into
its EXPECTATIONS; kept apart so the two files can change independently, and without importing that module,
which imports this one).
"""

from __future__ import annotations

from typing import Any

_FOLDER = "bpmn/event/compensate/"

# "Request Vacation" is completed with accept = false: the compensation is thrown
_NOT_ACCEPTED: dict[str, Any] = {"task_data": {"accept": False}}
# "Validate Booking" is completed with valid = false: the compensation is thrown
_NOT_VALID: dict[str, Any] = {"task_data": {"valid": False}}
# ... and the booking subprocess is a multi-instance over these flights
_NOT_VALID_TWO_FLIGHTS: dict[str, Any] = {"start": {"flights": ["STS-14", "STS-28"]}, "task_data": {"valid": False}}

COMPENSATION_EXPECTATIONS: dict[str, dict[str, Any]] = {
    _FOLDER + name: expectation for name, expectation in {
        "CompensateEventTest.testCompensateConcurrentMiActivity.bpmn20.xml": _NOT_ACCEPTED,
        "CompensateEventTest.testCompensateConcurrentMiSubprocess.bpmn20.xml": _NOT_ACCEPTED,
        "CompensateEventTest.testCompensateActivityRefMiActivity.bpmn20.xml": _NOT_ACCEPTED,
        "CompensateEventTest.testCompensateActivityRefMiSubprocess.bpmn20.xml": _NOT_ACCEPTED,
        "CompensateEventTest.testCompensationEventSubProcess.bpmn20.xml": _NOT_VALID,
        "CompensateEventTest.testCompensationEventSubProcessWithActivityRef.bpmn20.xml": _NOT_VALID,
        "CompensateEventTest.testCompensateMiSubprocessWithCompensationEventSubProcess.bpmn20.xml":
            _NOT_VALID_TWO_FLIGHTS,
        "CompensateEventTest.testCompensateParallelMiSubprocessWithCompensationEventSubProcess.bpmn20.xml":
            _NOT_VALID_TWO_FLIGHTS,
        # Not among the parse test's parameters: Camunda deploys these two with a warning (BpmnParse
        # validateCatchCompensateEventDefinition: activityRef / waitForCompletion on a compensation start
        # event "will be ignored") and runs them to their end, as this engine does.
        "CompensationEventParseInvalidProcessTest.activityRefOnCompensationEventSubProcess.bpmn20.xml": {},
        "CompensationEventParseInvalidProcessTest.waitForCompletionOnCompensationEventSubProcess.bpmn20.xml":
            {},
    }.items()
} | {
    # TransactionSubProcessTest: the test sets cancelTx = true and compensate = false before the
    # transaction's gateway, so the transaction is cancelled (its inner task compensated first)
    "bpmn/subprocess/transaction/TransactionSubProcessTest.testCompensateSubprocess.bpmn20.xml":
        {"start": {"cancelTx": True, "compensate": False}},
    # Camunda refuses it: "end event with cancelEventDefinition only supported inside transaction subprocess"
    "bpmn/subprocess/transaction/TransactionSubProcessTest.testCancelEndNoTransactionFails.bpmn20.xml":
        {"refused": True},
}
