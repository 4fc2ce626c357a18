"""Compensation as Camunda 7 runs it (engine/runtime/compensation.py): handlers of completed activities,
the latest completed first, each completed instance once, nested through subprocesses, and across a save."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

from SpiffWorkflow.util.task import TaskState

from engine.runtime.clock import SimulatedClock
from engine.runtime.lint import lint_paths, load_files
from engine.runtime.spiff import SafeScriptEngine, compile_process, new_workflow
from engine.runtime.state import StateSerializer
from engine.simulation.coverage import coverage

ENGINE = SafeScriptEngine(SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC)))
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">\n')


def handler(activity: str, undo: str, kind: str = "userTask") -> str:
    """A compensation boundary event on `activity`, associated with the handler `undo`."""
    return (f'<boundaryEvent id="{activity}_comp" attachedToRef="{activity}"><compensateEventDefinition />'
            f'</boundaryEvent>\n<{kind} id="{undo}" isForCompensation="true" />\n'
            f'<association id="{activity}_assoc" sourceRef="{activity}_comp" targetRef="{undo}" />\n')


def chain(*elements: str) -> str:
    """Sequence flows through the given element ids, in order."""
    return "\n".join(f'<sequenceFlow id="f_{a}_{b}" sourceRef="{a}" targetRef="{b}" />'
                     for a, b in pairwise(elements))


def write(tmp_path: Path, body: str, before: str = "") -> Path:
    path = tmp_path / "probe.bpmn"
    path.write_text(f'{HEAD}{before}<process id="probe" isExecutable="true">\n{body}\n</process>\n</definitions>\n',
                    encoding="utf-8")
    return path


class Instance:
    """One instance of the diagram, saved and loaded between commands when asked (as the store does)."""

    def __init__(self, path: Path, save_between: bool = False, engine: SafeScriptEngine = ENGINE,
                 **data: Any) -> None:
        assert lint_paths([path]) == []
        documents, _ = load_files([path])
        self.process = compile_process({name: d.root for name, d in documents.items()}, "probe", {})
        self.engine = engine
        self.workflow = new_workflow(self.process, engine)
        self.workflow.task_tree.data = dict(data)
        self.save_between = save_between
        self.workflow.do_engine_steps()

    def ready(self) -> list[str]:
        return [task.task_spec.bpmn_id for task in self.workflow.get_tasks(state=TaskState.READY)
                if type(task.task_spec).__name__ == "UserTask"]

    def complete(self, element: str, **data: Any) -> None:
        task = next(task for task in self.workflow.get_tasks(state=TaskState.READY)
                    if getattr(task.task_spec, "bpmn_id", None) == element)
        task.data.update(data)
        task.run()
        self.workflow.do_engine_steps()
        if self.save_between:
            serializer = StateSerializer()
            self.workflow = serializer.loads(serializer.dumps(self.workflow), self.process, self.engine)

    def data_of(self, element: str) -> dict[str, Any]:
        return dict(next(task for task in self.workflow.get_tasks(state=TaskState.READY)
                         if getattr(task.task_spec, "bpmn_id", None) == element).data)


BOOKINGS = f"""
<startEvent id="start" />
<userTask id="bookHotel" /><userTask id="bookFlight" /><userTask id="pay" />
{handler("bookHotel", "cancelHotel")}{handler("bookFlight", "cancelFlight")}
<intermediateThrowEvent id="throw"><compensateEventDefinition /></intermediateThrowEvent>
<userTask id="after" /><endEvent id="end" />
{chain("start", "bookHotel", "bookFlight", "pay", "throw", "after", "end")}
"""


def test_the_handlers_of_completed_activities_run_latest_first_and_the_throw_waits_for_them(tmp_path: Path) -> None:
    instance = Instance(write(tmp_path, BOOKINGS))
    for element in ("bookHotel", "bookFlight", "pay"):
        instance.complete(element)
    assert instance.ready() == ["cancelFlight", "cancelHotel"]  # both started, the latest completed first
    instance.complete("cancelFlight", storniert="Flug")
    assert instance.ready() == ["cancelHotel"]  # the throw still waits
    instance.complete("cancelHotel")
    assert instance.ready() == ["after"]
    assert instance.data_of("after")["storniert"] == "Flug"  # what a handler sets, the process sees
    instance.complete("after")
    assert instance.workflow.is_completed()


def test_only_completed_activities_are_compensated_and_each_once(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<userTask id="bookHotel" /><userTask id="bookFlight" />
{handler("bookHotel", "cancelHotel")}{handler("bookFlight", "cancelFlight")}
<intermediateThrowEvent id="throw1"><compensateEventDefinition /></intermediateThrowEvent>
<intermediateThrowEvent id="throw2"><compensateEventDefinition /></intermediateThrowEvent>
<endEvent id="end" />
{chain("start", "bookHotel", "throw1", "bookFlight", "throw2", "end")}
"""
    instance = Instance(write(tmp_path, body))
    instance.complete("bookHotel")
    assert instance.ready() == ["cancelHotel"]  # bookFlight has not run yet
    instance.complete("cancelHotel")
    instance.complete("bookFlight")
    assert instance.ready() == ["cancelFlight"]  # bookHotel was compensated already
    instance.complete("cancelFlight")
    assert instance.workflow.is_completed()


def test_activity_ref_compensates_only_the_named_activity(tmp_path: Path) -> None:
    body = BOOKINGS.replace('<intermediateThrowEvent id="throw"><compensateEventDefinition />',
                            '<intermediateThrowEvent id="throw"><compensateEventDefinition activityRef="bookHotel" />')
    instance = Instance(write(tmp_path, body))
    for element in ("bookHotel", "bookFlight", "pay"):
        instance.complete(element)
    assert instance.ready() == ["cancelHotel"]


def test_a_compensation_end_event_compensates_before_the_process_ends(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" /><userTask id="bookHotel" />{handler("bookHotel", "cancelHotel")}
<endEvent id="end"><compensateEventDefinition /></endEvent>
{chain("start", "bookHotel", "end")}
"""
    instance = Instance(write(tmp_path, body))
    instance.complete("bookHotel")
    assert not instance.workflow.is_completed()
    assert instance.ready() == ["cancelHotel"]
    instance.complete("cancelHotel")
    assert instance.workflow.is_completed()


SUBPROCESS = f"""
<startEvent id="start" />
<subProcess id="booking">
  <extensionElements><camunda:inputOutput>
    <camunda:inputParameter name="hotel">Ritz</camunda:inputParameter>
  </camunda:inputOutput></extensionElements>
  <startEvent id="s1" /><userTask id="bookHotel" /><userTask id="bookFlight" /><endEvent id="e1" />
  {chain("s1", "bookHotel", "bookFlight", "e1")}
  {handler("bookHotel", "cancelHotel")}{handler("bookFlight", "cancelFlight")}
</subProcess>
<userTask id="pay" />
<intermediateThrowEvent id="throw"><compensateEventDefinition activityRef="booking" /></intermediateThrowEvent>
<userTask id="after" /><endEvent id="end" />
{chain("start", "booking", "pay", "throw", "after", "end")}
"""


def test_a_completed_subprocess_without_handler_compensates_its_children_with_its_local_variables(
        tmp_path: Path) -> None:
    instance = Instance(write(tmp_path, SUBPROCESS))
    instance.complete("bookHotel")
    instance.complete("bookFlight")
    assert "hotel" not in instance.data_of("pay")  # local to the subprocess
    instance.complete("pay")
    assert instance.ready() == ["cancelFlight", "cancelHotel"]
    assert instance.data_of("cancelHotel")["hotel"] == "Ritz"  # the handler sees the subprocess's variables
    instance.complete("cancelFlight", storniert="Flug")
    instance.complete("cancelHotel", hotel="abgesagt")
    assert instance.ready() == ["after"]
    after = instance.data_of("after")
    assert after["storniert"] == "Flug"  # a new variable of a handler reaches the process
    assert "hotel" not in after  # the subprocess's own variable stays its own


def test_handlers_side_by_side_keep_each_others_changes(tmp_path: Path) -> None:
    instance = Instance(write(tmp_path, BOOKINGS), stand="gebucht")
    for element in ("bookHotel", "bookFlight", "pay"):
        instance.complete(element)
    instance.complete("cancelFlight", stand="storniert")
    instance.complete("cancelHotel")  # started with stand = gebucht, does not set it back
    assert instance.data_of("after")["stand"] == "storniert"


def test_a_compensation_event_subprocess_runs_when_its_subprocess_is_compensated(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<subProcess id="booking">
  <startEvent id="s1" /><userTask id="bookHotel" /><endEvent id="e1" />
  {chain("s1", "bookHotel", "e1")}
  {handler("bookHotel", "cancelHotel")}
  <subProcess id="onCompensation" triggeredByEvent="true">
    <startEvent id="cs"><compensateEventDefinition /></startEvent>
    <intermediateThrowEvent id="again"><compensateEventDefinition /></intermediateThrowEvent>
    <userTask id="informCustomer" /><endEvent id="ce" />
    {chain("cs", "again", "informCustomer", "ce")}
  </subProcess>
</subProcess>
<intermediateThrowEvent id="throw"><compensateEventDefinition /></intermediateThrowEvent>
<endEvent id="end" />
{chain("start", "booking", "throw", "end")}
"""
    instance = Instance(write(tmp_path, body))
    instance.complete("bookHotel")
    assert instance.ready() == ["cancelHotel"]  # the event subprocess compensates the subprocess's children first
    instance.complete("cancelHotel")
    assert instance.ready() == ["informCustomer"]
    instance.complete("informCustomer")
    assert instance.workflow.is_completed()


def test_one_handler_run_per_completed_multi_instance_instance(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<userTask id="bookHotel"><multiInstanceLoopCharacteristics isSequential="true">
  <loopCardinality>3</loopCardinality></multiInstanceLoopCharacteristics></userTask>
{handler("bookHotel", "cancelHotel")}
<intermediateThrowEvent id="throw"><compensateEventDefinition /></intermediateThrowEvent>
<endEvent id="end" />
{chain("start", "bookHotel", "throw", "end")}
"""
    instance = Instance(write(tmp_path, body))
    for number in range(3):
        instance.complete("bookHotel", hotel=number)
    assert instance.ready() == ["cancelHotel"] * 3
    for _ in range(3):
        instance.complete("cancelHotel")
    assert instance.workflow.is_completed()


def test_compensation_survives_saving_and_loading_between_commands(tmp_path: Path) -> None:
    instance = Instance(write(tmp_path, BOOKINGS), save_between=True)
    for element in ("bookHotel", "bookFlight", "pay"):
        instance.complete(element)  # the instance is saved and loaded after each command
    assert instance.ready() == ["cancelFlight", "cancelHotel"]
    instance.complete("cancelHotel")
    assert instance.ready() == ["cancelFlight"]  # the throw still waits after a load
    instance.complete("cancelFlight", storniert="Flug")
    assert instance.ready() == ["after"]
    assert instance.data_of("after")["storniert"] == "Flug"
    instance.complete("after")
    assert instance.workflow.is_completed()


def findings(path: Path) -> list[tuple[str | None, str]]:
    return [(finding.element_id, finding.message) for finding in lint_paths([path])]


def test_a_handler_with_a_sequence_flow_is_refused_naming_it(tmp_path: Path) -> None:
    body = f"""<startEvent id="start" /><userTask id="undo" isForCompensation="true" />{chain("start", "undo")}"""
    assert ("undo", "Eine Kompensations-Aktivität darf keinen ein- oder ausgehenden Sequenzfluss haben.") \
        in findings(write(tmp_path, body))


def test_a_compensation_event_subprocess_on_the_process_level_is_refused(tmp_path: Path) -> None:
    body = f"""<startEvent id="start" /><userTask id="work" /><endEvent id="end" />{chain("start", "work", "end")}
<subProcess id="onCompensation" triggeredByEvent="true">
  <startEvent id="cs"><compensateEventDefinition /></startEvent><endEvent id="ce" />{chain("cs", "ce")}
</subProcess>"""
    assert ("cs", "Ein Kompensations-Ereignis-Unterprozess ist nur in einem Unterprozess erlaubt, nicht auf "
                  "Prozessebene.") in findings(write(tmp_path, body))


def test_an_activity_ref_outside_the_scope_is_refused(tmp_path: Path) -> None:
    body = SUBPROCESS.replace('activityRef="booking"', 'activityRef="bookHotel"')
    assert ("throw", "Die zu kompensierende Aktivität »bookHotel« liegt nicht im Bereich dieses Ereignisses.") \
        in findings(write(tmp_path, body))


def test_a_boundary_event_associated_with_an_ordinary_activity_is_refused(tmp_path: Path) -> None:
    body = BOOKINGS.replace('<userTask id="cancelHotel" isForCompensation="true" />', '<userTask id="cancelHotel" />')
    assert ("bookHotel_comp", "Das Kompensations-Randereignis muss mit einer Kompensations-Aktivität "
                              "(isForCompensation=\"true\") verbunden sein.") in findings(write(tmp_path, body))


def test_compensation_without_waiting_and_compensation_catch_events_are_refused(tmp_path: Path) -> None:
    body = f"""<startEvent id="start" /><userTask id="bookHotel" />{handler("bookHotel", "cancelHotel")}
<intermediateThrowEvent id="throw"><compensateEventDefinition waitForCompletion="false" /></intermediateThrowEvent>
<intermediateCatchEvent id="catch"><compensateEventDefinition /></intermediateCatchEvent>
<endEvent id="end" />{chain("start", "bookHotel", "throw", "catch", "end")}"""
    found = findings(write(tmp_path, body))
    assert ("throw", "Kompensation ohne Warten auf ihr Ende (waitForCompletion=\"false\") kann die Engine nicht "
                     "ausführen.") in found
    assert ("catch", "Ein Kompensations-Ereignis ist nur als Randereignis, als werfendes Zwischen- oder "
                     "Endereignis oder als Start eines Ereignis-Unterprozesses erlaubt.") in found


def test_a_boundary_event_on_a_handler_is_refused(tmp_path: Path) -> None:
    body = BOOKINGS + ('<boundaryEvent id="tooLate" attachedToRef="cancelHotel"><timerEventDefinition>'
                       '<timeDuration>P1D</timeDuration></timerEventDefinition></boundaryEvent>'
                       '<endEvent id="lateEnd" />' + chain("tooLate", "lateEnd"))
    assert ("tooLate", "Ein Randereignis an einer Kompensations-Aktivität kann die Engine nicht ausführen.") \
        in findings(write(tmp_path, body))


def test_one_handler_for_two_activities_runs_for_each(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<userTask id="bookHotel" /><userTask id="bookFlight" />
{handler("bookHotel", "cancelBooking")}
<boundaryEvent id="flightComp" attachedToRef="bookFlight"><compensateEventDefinition /></boundaryEvent>
<association id="flightAssoc" sourceRef="flightComp" targetRef="cancelBooking" />
<intermediateThrowEvent id="throw"><compensateEventDefinition /></intermediateThrowEvent>
<endEvent id="end" />
{chain("start", "bookHotel", "bookFlight", "throw", "end")}
"""
    instance = Instance(write(tmp_path, body))
    instance.complete("bookHotel")
    instance.complete("bookFlight")
    assert instance.ready() == ["cancelBooking", "cancelBooking"]


TRANSACTION = f"""
<startEvent id="start" />
<transaction id="tx">
  <startEvent id="txStart" /><parallelGateway id="fork" />
  <userTask id="bookHotel" /><userTask id="decide" /><userTask id="other" />
  {handler("bookHotel", "cancelHotel")}
  <exclusiveGateway id="gw" default="toDone" />
  <endEvent id="done" /><endEvent id="otherDone" />
  <endEvent id="abort"><cancelEventDefinition /></endEvent>
  {chain("txStart", "fork", "bookHotel", "decide", "gw")}
  {chain("fork", "other", "otherDone")}
  <sequenceFlow id="toAbort" sourceRef="gw" targetRef="abort"><conditionExpression>${{abbrechen}}</conditionExpression>
  </sequenceFlow>
  <sequenceFlow id="toDone" sourceRef="gw" targetRef="done" />
</transaction>
<boundaryEvent id="cancelled" attachedToRef="tx"><cancelEventDefinition /></boundaryEvent>
<userTask id="afterCancel" /><userTask id="afterTx" /><endEvent id="end" /><endEvent id="endCancelled" />
{chain("start", "tx", "afterTx", "end")}
{chain("cancelled", "afterCancel", "endCancelled")}
"""


def test_a_cancelled_transaction_ends_its_other_paths_compensates_then_leaves_by_its_cancel_event(
        tmp_path: Path) -> None:
    instance = Instance(write(tmp_path, TRANSACTION), save_between=True, abbrechen=True)
    instance.complete("bookHotel")
    assert sorted(instance.ready()) == ["decide", "other"]
    instance.complete("decide")
    assert instance.ready() == ["cancelHotel"]  # the other path ended; the completed booking is compensated
    instance.complete("cancelHotel")
    assert instance.ready() == ["afterCancel"]
    instance.complete("afterCancel")
    assert instance.workflow.is_completed()


def test_a_transaction_that_ends_normally_goes_on_without_compensation(tmp_path: Path) -> None:
    instance = Instance(write(tmp_path, TRANSACTION), abbrechen=False)
    for element in ("bookHotel", "decide", "other"):
        instance.complete(element)
    assert instance.ready() == ["afterTx"]


def test_cancel_end_events_are_refused_outside_a_transaction_or_without_its_boundary_event(tmp_path: Path) -> None:
    outside = f"""<startEvent id="start" /><endEvent id="abort"><cancelEventDefinition /></endEvent>
{chain("start", "abort")}"""
    assert ("abort", "Ein Abbruch-Endereignis ist nur in einem Transaktions-Unterprozess erlaubt.") \
        in findings(write(tmp_path, outside))
    unboundaried = TRANSACTION.replace('<cancelEventDefinition /></boundaryEvent>',
                                       '<timerEventDefinition><timeDuration>P1D</timeDuration>'
                                       '</timerEventDefinition></boundaryEvent>')
    assert ("abort", "Das Abbruch-Endereignis braucht ein Abbruch-Randereignis an seiner Transaktion; sonst "
                     "bliebe der Prozess nach dem Abbruch stehen.") in findings(write(tmp_path, unboundaried))


def test_an_activity_passed_twice_in_a_loop_is_compensated_per_pass(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<exclusiveGateway id="join" /><userTask id="bookHotel" />{handler("bookHotel", "cancelHotel")}
<exclusiveGateway id="again" default="onward" />
<intermediateThrowEvent id="throw"><compensateEventDefinition /></intermediateThrowEvent>
<endEvent id="end" />
{chain("start", "join", "bookHotel", "again")}
<sequenceFlow id="back" sourceRef="again" targetRef="join"><conditionExpression>${{runde &lt; 2}}</conditionExpression>
</sequenceFlow>
<sequenceFlow id="onward" sourceRef="again" targetRef="throw" />
{chain("throw", "end")}
"""
    instance = Instance(write(tmp_path, body), save_between=True)
    instance.complete("bookHotel", runde=1)
    instance.complete("bookHotel", runde=2)
    assert instance.ready() == ["cancelHotel", "cancelHotel"]


def test_handlers_under_way_end_with_their_scope_when_an_interrupting_event_ends_it(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<subProcess id="booking">
  <startEvent id="s1" /><userTask id="bookHotel" />{handler("bookHotel", "cancelHotel")}
  <intermediateThrowEvent id="throw"><compensateEventDefinition /></intermediateThrowEvent><endEvent id="e1" />
  {chain("s1", "bookHotel", "throw", "e1")}
</subProcess>
<boundaryEvent id="tooLate" attachedToRef="booking"><timerEventDefinition><timeDuration>P1D</timeDuration>
</timerEventDefinition></boundaryEvent>
<userTask id="late" /><endEvent id="end" /><endEvent id="lateEnd" />
{chain("start", "booking", "end")}
{chain("tooLate", "late", "lateEnd")}
"""
    clock = SimulatedClock(datetime(2025, 3, 3, 8, tzinfo=UTC))
    instance = Instance(write(tmp_path, body), engine=SafeScriptEngine(clock))
    instance.complete("bookHotel")
    assert instance.ready() == ["cancelHotel"]
    clock.advance(timedelta(days=2))
    instance.workflow.refresh_timers()
    instance.workflow.do_engine_steps()
    assert instance.ready() == ["late"]  # the handler's task went with the subprocess
    assert all(not sub.spec.name.startswith("sro_compensation") for sub in instance.workflow.subprocesses.values())


def test_a_throw_in_an_error_event_subprocess_compensates_the_process_around_it(tmp_path: Path) -> None:
    body = f"""
<startEvent id="start" />
<userTask id="bookHotel" />{handler("bookHotel", "cancelHotel")}<userTask id="pay" />
<endEvent id="fail"><errorEventDefinition errorRef="E" /></endEvent>
{chain("start", "bookHotel", "pay", "fail")}
<subProcess id="onError" triggeredByEvent="true">
  <startEvent id="es"><errorEventDefinition errorRef="E" /></startEvent>
  <intermediateThrowEvent id="undo"><compensateEventDefinition /></intermediateThrowEvent>
  <userTask id="report" /><endEvent id="ee" />
  {chain("es", "undo", "report", "ee")}
</subProcess>
"""
    instance = Instance(write(tmp_path, body, before='<error id="E" errorCode="zahlung" />'), save_between=True)
    instance.complete("bookHotel")
    instance.complete("pay")
    assert instance.ready() == ["cancelHotel"]
    instance.complete("cancelHotel")
    assert instance.ready() == ["report"]
    instance.complete("report")
    assert instance.workflow.is_completed()


def test_coverage_counts_a_compensation_boundary_event_when_its_handler_ran(tmp_path: Path) -> None:
    documents, _ = load_files([write(tmp_path, BOOKINGS)])
    ran = {"start", "bookHotel", "bookFlight", "pay", "throw", "after", "end", "cancelHotel"}
    [diagram] = coverage(documents, ran, [])
    assert "bookHotel_comp" in diagram.covered_nodes  # its handler ran
    assert "bookFlight_comp" not in diagram.covered_nodes and "cancelFlight" not in diagram.covered_nodes
