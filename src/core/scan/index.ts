export { SEVERITY_ORDER, atLeast, highestSeverity, type Finding, type FindingId, type ScanContext, type ScannedTool, type Severity, type ToolRef } from './types.js';
export { scanTool, scanCatalog, scanToolResult, toolKey } from './scan.js';
export { redactSecrets, redactResultSecrets } from './redact.js';
export { nameSkeleton } from './names.js';
export { MAX_SCAN_CHARS, MAX_DEPTH, MAX_NODES } from './walk.js';
