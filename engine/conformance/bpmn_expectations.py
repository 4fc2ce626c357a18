"""What the Camunda 7 test of the same name does with a diagram, where the driver needs to know it.

Read by hand from the Java tests (camunda/camunda-bpm-platform at
3dd653fe66d352d15009a6b4b355e81bf683d319, engine/src/test/java/org/camunda/bpm/engine/test/...);
only the facts are recorded here, no test code: the variables the test starts the instance with
(`runtimeService.startProcessInstanceByKey(key, variables)`; where a test starts several instances,
the first), the variables it completes user tasks with or correlates messages with, whether it fires a
due timer while tasks are still open, whether it expects the engine to raise an error, and where it
expects the instance to wait. A Java bean the test passes (e.g. the gateway tests' order) is recorded
as a map of the properties the diagram reads, computed as the bean's getters compute them.
A file not listed here is expected to run to its
end without variables (what the driver does anyway).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.conformance.bpmn_expectations_compensation import COMPENSATION_EXPECTATIONS


@dataclass(frozen=True)
class Expectation:
    start: dict[str, Any] = field(default_factory=dict)  # variables the instance starts with
    task_data: dict[str, Any] = field(default_factory=dict)  # variables each user task is completed with
    error: bool = False  # the test expects the engine to raise an error (e.g. no outgoing flow)
    refused: bool = False  # the test expects the deployment to fail (a ParseException in Camunda)
    waits_at: frozenset[str] = frozenset()  # the test leaves the instance waiting at these elements
    message_data: dict[str, Any] = field(default_factory=dict)  # variables a message is correlated with
    timers_first: bool = False  # the test fires a due timer while user tasks are still open
    timers_once: int = 0  # the test fires this many due timers first, then goes on (a cycle would fire forever)
    # variables the test sets on the waiting instance (`runtimeService.setVariable`), one update per
    # move, when nothing but conditional events is left to act on
    updates: tuple[dict[str, Any], ...] = ()
    updates_first: bool = False  # the test sets those variables while user tasks are still open
    # the variables of each `createConditionEvaluation()...evaluateStartConditions()` the test calls (a conditional
    # start of the process: the instance waits there until then)
    start_conditions: tuple[dict[str, Any], ...] = ()
    # the other files the test's `@Deployment(resources = ...)` deploys with this one (paths as in FILES.txt)
    deployed_with: tuple[str, ...] = ()


def _in(folder: str, **files: Expectation) -> dict[str, Expectation]:
    return {f"bpmn/{folder}/{name.replace('__', '.')}": expectation for name, expectation in files.items()}


INPUT_1 = Expectation(start={"input": 1})
# the timer event subprocess tests execute the timer job while the first user task is open
FIRES_JOB_FIRST = Expectation(timers_first=True)
# ... the job of a timer cycle, once (it stays due again and again)
FIRES_ONE_JOB_FIRST = Expectation(timers_once=1)
# the conditional event tests: started with `variable` 0, then the test sets it to 1
VARIABLE_0_THEN_1 = Expectation(start={"variable": 0}, updates=({"variable": 1},))
SETS_VARIABLE_ON_TASK = Expectation(updates=({"variable": 1},), updates_first=True)


def _order(price: int, standard: int, gold: int) -> dict[str, Any]:
    """A Java order bean of the gateway tests as a map: its price and its three derived properties
    (basic up to 100; standard and gold as the test class of the respective gateway test defines them)."""
    return {"price": price, "basic": price <= 100, "standard": price <= standard if standard else 100 < price < 250,
            "gold": price <= gold if gold else price >= 250}


def _exclusive_order(price: int) -> dict[str, Any]:
    return _order(price, 0, 0)


def _inclusive_order(price: int) -> dict[str, Any]:
    return _order(price, 150, 200)

REFUSED = Expectation(refused=True)
# Parameterised parse tests: every file of theirs is one Camunda refuses to deploy.
REFUSED_PREFIXES = ("bpmn/event/escalation/EscalationEventParseInvalidProcessTest.",
                    "bpmn/event/compensate/CompensationEventParseInvalidProcessTest.",
                    "bpmn/event/signal/InvalidProcessWith")  # SignalEventParseInvalidProcessTest

EXPECTATIONS: dict[str, Expectation] = {
    **{name: Expectation(**fields) for name, fields in COMPENSATION_EXPECTATIONS.items()},
    **_in("subprocess", InterruptingEventSubProcessTest__testTimeCycle__bpmn20__xml=FIRES_JOB_FIRST),
    **_in("gateway",
          ExclusiveGatewayTest__testDivergingExclusiveGateway__bpmn20__xml=INPUT_1,
          ExclusiveGatewayTest__testDecisionFunctionality__bpmn20__xml=INPUT_1,
          ExclusiveGatewayTest__testDefaultSequenceFlow__bpmn20__xml=INPUT_1,
          # Camunda takes the first true condition ("Task 2"); this engine refuses overlapping conditions
          # (DESIGN.md), so this one stays an error, loudly, and does not count as run as Camunda runs it.
          ExclusiveGatewayTest__testMultipleValidConditions__bpmn20__xml=Expectation(start={"input": 5}),
          ExclusiveGatewayTest__testNoSequenceFlowSelected__bpmn20__xml=Expectation(start={"input": 4}, error=True),
          ExclusiveGatewayTest__testWhitespaceInExpression__bpmn20__xml=INPUT_1,
          ExclusiveGatewayTest__testDecideBasedOnBeanProperty__bpmn20__xml=Expectation(
              start={"order": _exclusive_order(150)}),
          ExclusiveGatewayTest__testDecideBasedOnBeanMethod__bpmn20__xml=Expectation(
              start={"order": _exclusive_order(300)}),
          ExclusiveGatewayTest__testDecideBasedOnListOrArrayOfBeans__bpmn20__xml=Expectation(
              start={"orders": [_exclusive_order(50), _exclusive_order(300), _exclusive_order(175)]}),
          InclusiveGatewayTest__testDecideBasedOnBeanProperty__bpmn20__xml=Expectation(
              start={"order": _inclusive_order(150)}),
          InclusiveGatewayTest__testDecideBasedOnBeanMethod__bpmn20__xml=Expectation(
              start={"order": _inclusive_order(200)}),
          # the test's first start (price 300 at index 1) expects no path; its second start takes one
          InclusiveGatewayTest__testDecideBasedOnListOrArrayOfBeans__bpmn20__xml=Expectation(
              start={"orders": [_inclusive_order(50), _inclusive_order(175), _inclusive_order(175)]}),
          InclusiveGatewayTest__testDecisionFunctionality__bpmn20__xml=INPUT_1,
          InclusiveGatewayTest__testDefaultSequenceFlow__bpmn20__xml=INPUT_1,
          InclusiveGatewayTest__testDivergingInclusiveGateway__bpmn20__xml=INPUT_1,
          InclusiveGatewayTest__testJoinAfterSubprocesses__bpmn20__xml=Expectation(start={"a": 1, "b": 1}),
          InclusiveGatewayTest__testNoSequenceFlowSelected__bpmn20__xml=Expectation(start={"input": 4}, error=True),
          InclusiveGatewayTest__testSplitMergeSplit__bpmn20__xml=INPUT_1,
          InclusiveGatewayTest__testWhitespaceInExpression__bpmn20__xml=INPUT_1,
          InclusiveGatewayTest__testNoIdOnSequenceFlow__bpmn20__xml=Expectation(start={"input": 3}),
          InclusiveGatewayTest__testMergingInclusiveGateway__bpmn20__xml=Expectation(start={"input": 2}),
          InclusiveGatewayTest__testMergingInclusiveGatewayAsync__bpmn20__xml=Expectation(start={"input": 2}),
          InclusiveGatewayTest__testPartialMergingInclusiveGateway__bpmn20__xml=Expectation(start={"input": 2})),
    **_in("event/timer",
          StartTimerEventTest__shouldEvaluateExpressionStartTimerEventInEventSubprocess__bpmn20__xml=Expectation(
              start={"duration": "PT5M"}),
          StartTimerEventTest__testNonInterruptingTimeCycleInEventSubProcess__bpmn20__xml=FIRES_ONE_JOB_FIRST,
          StartTimerEventTest__testStartTimerEventSubProcessWithUserTask__bpmn20__xml=FIRES_JOB_FIRST,
          BoundaryTimerEventTest__testExpressionOnTimer__bpmn20__xml=Expectation(start={"duration": "PT1H"}),
          BoundaryTimerEventTest__testRecalculateUnchangedExpressionOnTimerCurrentDateBased__bpmn20__xml=Expectation(
              start={"duedate": "PT1H"}),
          BoundaryTimerNonInterruptingEventTest__testReceiveTaskWithBoundaryTimer__bpmn20__xml=Expectation(
              start={"timeCycle": "R/PT1H"}),
          IntermediateTimerEventTest__testExpression__bpmn20__xml=Expectation(start={"dueDate": "2025-01-06T09:00:00"}),
          IntermediateTimerEventTest__testExpressionRecalculateCurrentDateBased__bpmn20__xml=Expectation(
              start={"duration": "PT1H"}),
          IntermediateTimerEventTest__testRecalculateTimeCycleExpressionCurrentDateBased__bpmn20__xml=Expectation(
              start={"cycle": "R/PT15M"}),
          # StartTimerEventTest.testStartTimerEventSubProcessCalledFromCallActivity; the file it is deployed with
          # has a Java service task and is not in the corpus, so the called process is not deployed here
          simpleProcessWithCallActivity__bpmn20__xml=Expectation(
              start={"calledProcess": "startTimerEventWithTwoEventSubProcesses"},
              deployed_with=("bpmn/event/timer/StartTimerEventTest.testStartTimerEventWithTwoEventSubProcesses"
                             ".bpmn20.xml",)),
          TimerRecalculationTest__testFinishedJob__bpmn20__xml=Expectation(start={"dueDate": "2025-01-06T09:00:00"})),
    **_in("event/escalation",
          EscalationEventSubprocessTest__testThrowEscalationEventFromEventSubprocess__bpmn20__xml=FIRES_JOB_FIRST),
    **_in("event/error",
          ErrorEventSubProcessTest__testThrownAnErrorInEventSubprocessInSubprocess__bpmn20__xml=FIRES_JOB_FIRST,
          ErrorEventSubProcessTest__testThrownAnErrorInEventSubprocessInSubprocessDifferentTransaction__bpmn20__xml=(
              FIRES_ONE_JOB_FIRST),
          BoundaryErrorEventTest__testDeeplyNestedErrorThrown__bpmn20__xml=Expectation(task_data={"input": 1}),
          BoundaryErrorEventTest__testDeeplyNestedErrorThrownOnlyAutomaticSteps__bpmn20__xml=INPUT_1,
          # the test completes some instances with throwError false, then one with true; the error is caught
          BoundaryErrorEventTest__testCatchErrorOnParallelMultiInstance__bpmn20__xml=Expectation(
              task_data={"throwError": True}),
          BoundaryErrorEventTest__testCatchErrorOnSequentialMultiInstance__bpmn20__xml=Expectation(
              task_data={"throwError": True})),
    **_in("callactivity",
          CallActivity__testSubProcessDataInputOutput__bpmn20__xml=Expectation(
              start={"superVariable": "Hello from the super process."}, task_data={"x": 5}),
          CallActivity__testSubProcessDataInputOutputAsExpression__bpmn20__xml=Expectation(
              start={"superVariable": None}, task_data={"myLocalVariable": None, "x": 5}),
          # Camunda cannot resolve the variable of the second call activity's local in-mapping: an error there
          CallActivity__testSubProcessLocalInputSingleVariableExpression__bpmn20__xml=Expectation(error=True),
          orderProcess__bpmn20__xml=Expectation(task_data={"creditApproved": True}),
          checkCreditProcess__bpmn20__xml=Expectation(task_data={"creditApproved": True}),
          # read from CallActivityTest.testCallCaseByVersionAsExpression: started with myVersion 2; the file deployed
          # with it (api/oneTaskProcess.bpmn20.xml) is outside the corpus, so that version is not deployed here
          CallActivityAdvancedTest__testCallProcessByVersionAsExpression__bpmn20__xml=Expectation(
              start={"myVersion": 2}, deployed_with=("api/oneTaskProcess.bpmn20.xml",)),
          # the test sets the called process's id on the first task before completing it
          CallActivity__testCallSimpleSubProcessWithExpressions__bpmn20__xml=Expectation(
              task_data={"simpleSubProcessExpression": "simpleSubProcess"},
              deployed_with=("bpmn/callactivity/simpleSubProcess.bpmn20.xml",)),
          CallActivity__testCallSimpleSubProcessWithHashExpressions__bpmn20__xml=Expectation(
              task_data={"simpleSubProcessExpression": "simpleSubProcess"},
              deployed_with=("bpmn/callactivity/simpleSubProcess.bpmn20.xml",))),
    **_in("event/signal",  # read from SignalEventPayloadTest.java (the files say "Tests")
          SignalEventTest__testThrownSignalInEventSubprocessInSubprocess__bpmn20__xml=FIRES_JOB_FIRST,
          SignalEventPayloadTests__throwSignalWithExpressionPayload__bpmn20__xml=Expectation(
              start={"payloadVar": "Val"})),
    **_in("event/conditional",
          # read from ConditionalStartEventTest: the variables each file's test evaluates the start conditions with
          ConditionalStartEventTest__testSingleConditionalStartEvent__bpmn20__xml=Expectation(
              start_conditions=({"foo": 1},)),
          ConditionalStartEventTest__testStartInstanceWithTrueConditionalStartEvent__bpmn20__xml=Expectation(
              start_conditions=({},)),
          ConditionalStartEventTest__testStartInstanceWithVariableName__bpmn20__xml=Expectation(
              start_conditions=({"foo": True},)),
          # only deployed as a further version: no instance is started, the condition is subscribed to
          ConditionalStartEventTest__testSingleConditionalStartEvent1__bpmn20__xml=Expectation(
              waits_at=frozenset({"StartEvent_1"})),
          # the test sets `variable` to 1 on the open task "Before Condition" (taskService.setVariable)
          EventSubProcessStartConditionalEventTest__testVariableCondition__bpmn20__xml=SETS_VARIABLE_ON_TASK,
          EventSubProcessStartConditionalEventTest__testFalseCondition__bpmn20__xml=SETS_VARIABLE_ON_TASK,
          EventSubProcessStartConditionalEventTest__testNonInterruptingVariableConditionWithHistory__bpmn20__xml=(
              Expectation(start={"variable": 1, "donotloseme": "here"})),
          EventSubProcessStartConditionalEventTest__testNonInterruptingVariableCondition__bpmn20__xml=(
              SETS_VARIABLE_ON_TASK),
          IntermediateConditionalEventTest__testFalseCondition__bpmn20__xml=Expectation(
              waits_at=frozenset({"conditionalEvent"})),
          IntermediateConditionalEventTest__testVariableValue__bpmn20__xml=VARIABLE_0_THEN_1,
          IntermediateConditionalEventTest__testCleanUpConditionalEventSubscriptions__bpmn20__xml=VARIABLE_0_THEN_1,
          IntermediateConditionalEventTest__testSubProcessVariableValue__bpmn20__xml=VARIABLE_0_THEN_1,
          IntermediateConditionalEventTest__testParallelVariableValueEqualConditions__bpmn20__xml=VARIABLE_0_THEN_1,
          IntermediateConditionalEventTest__testParallelVariableValue__bpmn20__xml=Expectation(
              start={"variable": 0}, updates=({"variable": 1}, {"variable": 2}))),
    **_in("iomapping",
          InputOutputEventTest__testConditionalCatchAfterEventGateway__bpmn20__xml=Expectation(updates=({"var": 1},)),
          InputOutputEventTest__testMessageCatchEvent__bpmn20__xml=Expectation(
              message_data={"messageVariable": "outValue"}),
          InputOutputEventTest__testTimerCatchEvent__bpmn20__xml=Expectation(
              start={"outerVariable": "2025-01-06T09:00:00"}),
          InputOutputTest__testInputMapElMixedKey__bpmn=Expectation(
              start={"varExpr1": "a", "varExpr2": "b", "varExprMapValue": "avocado"}),
          InputOutputTest__testSubprocessIoSupport__bpmn20__xml=Expectation(start={"processVar": "value"}),
          InputOutputTest__testMIOutputMappingDisallowed__bpmn20__xml=REFUSED,
          InputOutputEventTest__testMessageStartEvent__bpmn20__xml=REFUSED,
          InputOutputEventTest__testMessageBoundaryEvent__bpmn20__xml=REFUSED,
          InputOutputTest__testInterruptingEventSubprocessIoSupport__bpmn=REFUSED,
          InputOutputTest__testNonInterruptingEventSubprocessIoSupport__bpmn=REFUSED),
    **_in("sequenceflow",
          ConditionalSequenceFlowTest__testUelExpression__bpmn20__xml=Expectation(start={"input": "right"}),
          ConditionalSequenceFlowTest__testNoExpressionTrueThrowsException__bpmn20__xml=Expectation(
              start={"input": "non-existing-value"}, error=True),
          DefaultSequenceFlowTest__testDefaultSequenceFlowOnTask__bpmn20__xml=Expectation(start={"input": 2})),
    **_in("event/link",
          LinkEventTest__testCatchLinkEventAfterEventBasedGatewayNotAllowed__bpmn20__xml=REFUSED,
          LinkEventTest__testInvalidEventLinkMultipleTargets__bpmn20__xml=REFUSED),
    **_in("event/message",
          MessageIntermediateEventTest__testEmptyMessageNameFails__bpmn20__xml=REFUSED,
          MessageStartEventTest__testEmptyMessageNameFails__bpmn20__xml=REFUSED),
    "bpmn/subprocess/transaction/TransactionSubProcessTest.testCancelBoundaryNoTransactionFails.bpmn20.xml": REFUSED,
    "bpmn/event/start/StartEventCamundaFormDefinitionParseTest"
    ".shouldNotParseCamundaFormDefinitionUnsupportedBinding.bpmn20.xml": REFUSED,
    "bpmn/usertask/UserTaskCamundaFormDefinitionParseTest"
    ".shouldNotParseCamundaFormDefinitionUnsupportedBinding.bpmn20.xml": REFUSED,
    "bpmn/event/start/StartEventCamundaFormDefinitionParseTest.shouldNotParseCamundaFormDefinitionAndFormKey.bpmn20.xml":
        REFUSED,
    "bpmn/usertask/UserTaskCamundaFormDefinitionParseTest.shouldNotParseCamundaFormDefinitionAndFormKey.bpmn20.xml":
        REFUSED,
    "bpmn/external/ExternalTaskParseTest.testParseExternalTaskWithoutTopic.bpmn20.xml": REFUSED,
    **_in("multiinstance",
          MultiInstanceTest__testSequentialCallActivityWithList__bpmn20__xml=Expectation(
              start={"list": ["one", "two"]}),
          MultiInstanceTest__sequentialUserTasks__bpmn20__xml=Expectation(start={"nrOfLoops": 3}),
          MultiInstanceTest__testParallelUserTasksCustomExtensions__bpmn20__xml=Expectation(
              start={"assigneeList": ["kermit", "gonzo", "fozzie"]}),
          MultiInstanceTest__testParallelUserTasksBasedOnCollection__bpmn20__xml=Expectation(
              start={"assigneeList": ["kermit", "gonzo", "mispiggy", "fozzie", "bubba"]}),
          MultiInstanceTest__callActivityWithBoundaryErrorEvent__bpmn20__xml=Expectation(
              start={"assignees": ["kermit", "gonzo"]}, task_data={"done": False}),
          MultiInstanceTest__callActivityWithBoundaryErrorEventSequential__bpmn20__xml=Expectation(
              start={"assignees": ["kermit", "gonzo"]}, task_data={"done": False}),
          # the test completes the first called instance's tasks, then fires the boundary timer (99 instances)
          MultiInstanceTest__testSequentialCallActivityWithTimer__bpmn20__xml=Expectation(timers_first=True),
          MultiInstanceTest__throwingErrorEventSubProcess__bpmn20__xml=Expectation(task_data={"done": False}),
          MultiInstanceTest__testNestedMultiInstanceTasks__bpmn20__xml=Expectation(
              start={"subProcesses": ["process A", "process B"], "assignees": ["kermit", "gonzo"]})),
}


def expectation_for(file: str) -> Expectation:
    if file in EXPECTATIONS:
        return EXPECTATIONS[file]
    return REFUSED if file.startswith(REFUSED_PREFIXES) else Expectation()

