export { AgentCrashError, isAgentCrashError } from './agent-crash-error.ts';
export {
  HttpStatusError,
  httpErrorDefaults,
  httpErrorTypes,
  isHttpStatusError,
  type HttpErrorType,
  type HttpStatusErrorDetails,
} from './http-status-error.ts';
export {
  createSystemError,
  isNodeSystemError,
  type NodeSystemError,
  type SystemErrorDetails,
} from './system-error.ts';
