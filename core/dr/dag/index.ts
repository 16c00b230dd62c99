/** Pure planning of DR workflows: the dependency graph, the scheduling decision, `when` conditions, rollback order. */
export { buildGraph, findGraphProblems, describeProblem, descendantsOf, graphMode, GraphError, type ActionGraph, type GraphItem, type GraphMode, type GraphProblem } from './graph.js';
export { scheduleNext, isFinished, type FailurePolicy, type ScheduleDecision, type ScheduleInput } from './schedule.js';
export { parseWhen, type WhenCondition, type WhenData, type WhenTree, type WhenExpr, type WhenOperand } from './when.js';
export { planRollback, automaticInverse, operationOf, type RollbackStep } from './rollback.js';
