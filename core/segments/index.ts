// Segments (issue 7): definition, validation, compilation to SQL, time-based re-evaluation.
export * from "./schema";
export { validateSegment, formatPath, type ValidationError, type ValidateOptions } from "./validate";
export {
  compileSegment,
  compileSegmentForCustomer,
  compileSegmentsForCustomer,
  compileSegmentPreview,
  compileSegmentReach,
  type CompileOptions,
  type ReachChannel,
  type SqlQuery,
} from "./compile";
export { TABLES } from "./sql";
export { nextMembershipChange, type CustomerTimeFacts, type NextChange } from "./next-change";
export { PRESET_SEGMENTS } from "./presets";
export { isTimeDriven, timeDrivenEventNames } from "./facts";
