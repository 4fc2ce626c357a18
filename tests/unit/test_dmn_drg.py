"""Decision models as published (DMN 1.5 namespaces): literal expressions, BKMs, invocations, services, tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from engine.runtime.dmn.drg import read_model
from engine.runtime.errors import DmnError

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="test" namespace="urn:test">
  <itemDefinition name="tLoan">
    <itemComponent name="amount"><typeRef>number</typeRef></itemComponent>
    <itemComponent name="rate"><typeRef>number</typeRef></itemComponent>
  </itemDefinition>
  <itemDefinition name="tGrade"><typeRef>string</typeRef>
    <allowedValues><text>"A","B"</text></allowedValues></itemDefinition>
  <inputData name="Applicant Loan"><variable name="Applicant Loan" typeRef="tLoan"/></inputData>
  <inputData name="Grade"><variable name="Grade" typeRef="tGrade"/></inputData>
  <businessKnowledgeModel name="Interest">
    <encapsulatedLogic>
      <formalParameter name="principal" typeRef="number"/>
      <formalParameter name="annual rate" typeRef="number"/>
      <literalExpression><text>principal * annual rate</text></literalExpression>
    </encapsulatedLogic>
  </businessKnowledgeModel>
  <decision name="Yearly Interest">
    <variable name="Yearly Interest" typeRef="number"/>
    <invocation>
      <literalExpression><text>Interest</text></literalExpression>
      <binding><parameter name="principal"/>
        <literalExpression><text>Applicant Loan.amount</text></literalExpression></binding>
      <binding><parameter name="annual rate"/>
        <literalExpression><text>Applicant Loan.rate</text></literalExpression></binding>
    </invocation>
  </decision>
  <decision name="Summary">
    <variable name="Summary"/>
    <context>
      <contextEntry><variable name="interest"/>
        <literalExpression><text>Yearly Interest</text></literalExpression></contextEntry>
      <contextEntry><variable name="doubled"/>
        <literalExpression><text>interest * 2</text></literalExpression></contextEntry>
    </context>
  </decision>
  <decision name="Risk">
    <variable name="Risk" typeRef="string"/>
    <decisionTable hitPolicy="FIRST">
      <input><inputExpression typeRef="number"><text>Applicant Loan.amount</text></inputExpression></input>
      <output name="risk"/>
      <rule><inputEntry><text>&gt;= 1000</text></inputEntry><outputEntry><text>"high"</text></outputEntry></rule>
      <rule><inputEntry><text>-</text></inputEntry><outputEntry><text>"low"</text></outputEntry></rule>
    </decisionTable>
  </decision>
  <decision name="Grade Text"><variable name="Grade Text"/>
    <literalExpression><text>"Grade " + Grade</text></literalExpression></decision>
  <decisionService name="Interest Service">
    <outputDecision href="#Yearly%20Interest"/>
    <inputData href="#Applicant%20Loan"/>
  </decisionService>
  <decision name="Wrong Type"><variable name="Wrong Type" typeRef="number"/>
    <literalExpression><text>"text"</text></literalExpression></decision>
  <decision name="Broken"><variable name="Broken"/><literalExpression><text>1 +</text></literalExpression></decision>
</definitions>
"""
LOAN = {"Applicant Loan": {"amount": 2000, "rate": Decimal("0.05")}, "Grade": "A"}


def model(lenient: bool = True):  # type: ignore[no-untyped-def]
    return read_model(etree.fromstring(MODEL.encode()), "test.dmn", lenient=lenient)


def test_a_dmn_1_5_model_is_read_and_decisions_are_found_by_name() -> None:
    assert model().evaluate("Yearly Interest", LOAN) == Decimal(100)


def test_contexts_see_earlier_entries_and_required_decisions() -> None:
    assert model().evaluate("Summary", LOAN) == {"interest": Decimal(100), "doubled": Decimal(200)}


def test_a_decision_table_in_a_standard_model() -> None:
    assert model().evaluate("Risk", LOAN) == "high"
    assert model().evaluate("Risk", {"Applicant Loan": {"amount": 10, "rate": 0}}) == "low"


def test_a_value_outside_the_allowed_values_is_null() -> None:
    assert model().evaluate("Grade Text", LOAN) == "Grade A"
    assert model().evaluate("Grade Text", {**LOAN, "Grade": "C"}) is None


def test_a_result_of_the_wrong_type_is_null() -> None:
    assert model().evaluate("Wrong Type", LOAN) is None


def test_a_decision_service_is_invoked_with_its_inputs() -> None:
    assert model().invoke("Interest Service", {"Applicant Loan": {"amount": 100, "rate": 1}}) == Decimal(100)


def test_a_decision_that_cannot_be_read_refuses_the_model_or_fails_alone() -> None:
    with pytest.raises(DmnError, match="Broken"):
        model(lenient=False)
    with pytest.raises(DmnError, match="Broken"):
        model().evaluate("Broken", LOAN)


def test_an_older_namespace_is_read_and_a_foreign_file_refused() -> None:
    older = MODEL.replace("https://www.omg.org/spec/DMN/20230324/MODEL/", "https://www.omg.org/spec/DMN/20191111/MODEL/")
    assert read_model(etree.fromstring(older.encode()), "old.dmn", lenient=True).evaluate("Risk", LOAN) == "high"
    with pytest.raises(DmnError, match="keine DMN-Datei"):
        read_model(etree.fromstring(b"<definitions xmlns='urn:other'/>"), "x.dmn")


def test_now_and_today_come_from_the_clock_passed_in() -> None:
    from datetime import UTC, date, datetime

    from engine.runtime.clock import SimulatedClock

    text = MODEL.replace("<literalExpression><text>\"text\"</text></literalExpression>",
                         "<literalExpression><text>today()</text></literalExpression>")
    text = text.replace('name="Wrong Type" typeRef="number"', 'name="Wrong Type" typeRef="date"')
    clocked = read_model(etree.fromstring(text.encode()), "clock.dmn", lenient=True)
    clock = SimulatedClock(datetime(2025, 3, 1, 12, tzinfo=UTC))
    assert clocked.evaluate("Wrong Type", LOAN, clock) == date(2025, 3, 1)
    assert clocked.evaluate("Wrong Type", LOAN) is None


def test_a_context_missing_a_component_does_not_conform() -> None:
    assert model().evaluate("Yearly Interest", {"Applicant Loan": {"amount": 100}}) is None


def test_a_service_argument_of_the_wrong_type_gives_null() -> None:
    assert model().invoke("Interest Service", {"Applicant Loan": "not a loan"}) is None


BOXED = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" name="boxed" namespace="urn:boxed">
  <decision name="Doubled"><variable name="Doubled"/>
    <for iteratorVariable="n">
      <in><literalExpression><text>[1, 2, 3]</text></literalExpression></in>
      <return><literalExpression><text>n * 2</text></literalExpression></return>
    </for>
  </decision>
  <decision name="All Positive"><variable name="All Positive"/>
    <every iteratorVariable="n">
      <in><literalExpression><text>Doubled</text></literalExpression></in>
      <satisfies><literalExpression><text>n &gt; 0</text></literalExpression></satisfies>
    </every>
  </decision>
  <decision name="Big"><variable name="Big"/>
    <filter>
      <in><literalExpression><text>Doubled</text></literalExpression></in>
      <match><literalExpression><text>item &gt; 2</text></literalExpression></match>
    </filter>
  </decision>
  <decision name="Verdict"><variable name="Verdict"/>
    <conditional>
      <if><literalExpression><text>All Positive</text></literalExpression></if>
      <then><literalExpression><text>"yes"</text></literalExpression></then>
      <else><literalExpression><text>"no"</text></literalExpression></else>
    </conditional>
  </decision>
  <decision name="Table"><variable name="Table"/>
    <relation>
      <column name="name"/><column name="age"/>
      <row><literalExpression><text>"Ada"</text></literalExpression><literalExpression><text>36</text></literalExpression></row>
      <row><literalExpression><text>"Bob"</text></literalExpression><literalExpression><text>40</text></literalExpression></row>
    </relation>
  </decision>
  <decision name="Ages"><variable name="Ages"/>
    <list>
      <literalExpression><text>Table[1].age</text></literalExpression>
      <literalExpression><text>Table[name = "Bob"].age[1]</text></literalExpression>
    </list>
  </decision>
</definitions>
"""


def test_dmn_1_5_boxed_iterators_filter_conditional_relation_and_list() -> None:
    boxed = read_model(etree.fromstring(BOXED.encode()), "boxed.dmn")
    assert boxed.evaluate("Doubled", {}) == [Decimal(2), Decimal(4), Decimal(6)]
    assert boxed.evaluate("All Positive", {}) is True
    assert boxed.evaluate("Big", {}) == [Decimal(4), Decimal(6)]
    assert boxed.evaluate("Verdict", {}) == "yes"
    assert boxed.evaluate("Ages", {}) == [Decimal(36), Decimal(40)]


def test_a_decision_that_needs_itself_is_an_error_and_one_named_like_a_built_in_calls_it() -> None:
    text = MODEL.replace("<literalExpression><text>1 +</text></literalExpression>",
                         "<literalExpression><text>Broken + 1</text></literalExpression>")
    text = text.replace('<decision name="Grade Text"><variable name="Grade Text"/>',
                        '<decision name="max"><variable name="max"/>'
                        '<literalExpression><text>max(1, 3)</text></literalExpression></decision>'
                        '<decision name="Grade Text"><variable name="Grade Text"/>')
    cyclic = read_model(etree.fromstring(text.encode()), "cycle.dmn")
    with pytest.raises(DmnError, match="selbst"):
        cyclic.evaluate("Broken", LOAN)
    assert cyclic.evaluate("max", LOAN) == Decimal(3)
