// The server's coded error catalogue. Every error a client can see is one of these
// codes, answered as JSON `{"error": "<message>", "code": "<code>"}` (the Open
// Inference Protocol's error object, plus the code). docs/server.md lists them.

export const SERVER_ERRORS = {
  /** The body is not valid JSON (or is empty where JSON is required). */
  MLS_ERR_BAD_JSON: 400,
  /** The body or URL does not match the route's JSON Schema. */
  MLS_ERR_BAD_REQUEST: 400,
  /** A tensor's datatype is unknown or differs from the model's. */
  MLS_ERR_BAD_TENSOR_DATATYPE: 400,
  /** A tensor's shape has the wrong rank or a wrong static dimension. */
  MLS_ERR_BAD_TENSOR_SHAPE: 400,
  /** A tensor's data does not match its shape or datatype. */
  MLS_ERR_BAD_TENSOR_DATA: 400,
  /** An input the model needs is missing, given twice, or not one of the model's inputs. */
  MLS_ERR_BAD_INPUT_NAME: 400,
  /** A requested output is not one of the model's outputs. */
  MLS_ERR_BAD_OUTPUT_NAME: 400,
  /** An /invocations body is in none of the accepted forms (instances, inputs, dataframe_split, dataframe_records, CSV). */
  MLS_ERR_BAD_INVOCATION: 400,
  /** The request asks for something this server does not do (the binary tensor data extension). */
  MLS_ERR_UNSUPPORTED: 400,
  /** The model module rejected its feeds (MLR_ERR_BAD_INPUT). */
  MLS_ERR_BAD_INPUT: 400,
  /** A batch row cannot be read: CSV or JSON syntax, the wrong number of cells, longer than the limit. */
  MLS_ERR_BAD_ROW: 400,
  /** A batch job's input or output path is not a plain relative path in the data directory, or does not exist. */
  MLS_ERR_BAD_PATH: 400,
  /** A batch job's path leads outside the data directory (through a symbolic link), or is a symbolic link. */
  MLS_ERR_FORBIDDEN_PATH: 403,
  /** No such model, or no such version of it. */
  MLS_ERR_MODEL_NOT_FOUND: 404,
  /** No batch job with this id (jobs are kept in memory: a restart forgets them). */
  MLS_ERR_JOB_NOT_FOUND: 404,
  /** Another active job writes or reads the same file, or "resume": true finds no checkpoint that fits. */
  MLS_ERR_JOB_CONFLICT: 409,
  /** No such route. */
  MLS_ERR_NOT_FOUND: 404,
  /** Bearer-token auth is on and the request has no token, or a wrong one (WWW-Authenticate: Bearer). */
  MLS_ERR_UNAUTHORIZED: 401,
  /** The body is larger than the limit (MLCOMPILE_BODY_LIMIT, default 5 MB). */
  MLS_ERR_BODY_TOO_LARGE: 413,
  /** The Content-Type is not one the route accepts. */
  MLS_ERR_UNSUPPORTED_MEDIA_TYPE: 415,
  /** The client did not send the whole request in time (MLCOMPILE_REQUEST_TIMEOUT): a stalled or very slow client. */
  MLS_ERR_REQUEST_TIMEOUT: 408,
  /** The request headers are over Node's limit (16 KiB). */
  MLS_ERR_HEADERS_TOO_LARGE: 431,
  /** The bytes received are not a valid HTTP/1.1 request. */
  MLS_ERR_BAD_HTTP: 400,
  /** The model could not compute a result for these inputs (MLR_ERR_KERNEL: an index out of range...). */
  MLS_ERR_INFERENCE: 422,
  /** A model version directory is incomplete, or its module throws on load or fails its checks (POST /v2/repository/models/{name}/load); the serving versions keep serving. */
  MLS_ERR_VERSION_REFUSED: 422,
  /** A configuration reload was refused: the file or one of its sections is invalid (the previous configuration keeps applying). */
  MLS_ERR_BAD_CONFIG: 422,
  /** The client sent more requests than the rate limit allows (Retry-After: seconds to wait). */
  MLS_ERR_RATE_LIMITED: 429,
  /** The server is shutting down or has no model loaded. */
  MLS_ERR_UNAVAILABLE: 503,
  /** A bug in the server or the model module (please report). */
  MLS_ERR_INTERNAL: 500,
} as const;

export type ServerErrorCode = keyof typeof SERVER_ERRORS;

/** An error with a catalogue code; its status comes from the catalogue. */
export class ServerError extends Error {
  readonly code: ServerErrorCode;
  readonly statusCode: number;
  constructor(code: ServerErrorCode, message: string) {
    super(message);
    this.name = 'ServerError';
    this.code = code;
    this.statusCode = SERVER_ERRORS[code];
  }
}

export function serverError(code: ServerErrorCode, message: string): never {
  throw new ServerError(code, message);
}

export interface ErrorReply {
  readonly status: number;
  readonly code: ServerErrorCode;
  readonly message: string;
}

interface ErrorLike {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
  validationContext?: unknown;
}

/**
 * Classifies anything thrown while handling a request: our own errors, fastify's
 * (body parsing, limits, schema validation) and the model module's RuntimeErrors
 * (recognised by their `code`, since the module bundles its own class).
 */
export function classifyError(e: unknown): ErrorReply {
  if (e instanceof ServerError) return { status: e.statusCode, code: e.code, message: e.message };
  const err = (typeof e === 'object' && e !== null ? e : {}) as ErrorLike;
  const message = typeof err.message === 'string' ? err.message : String(e);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'MLS_ERR_BODY_TOO_LARGE', message: 'the request body is larger than the server accepts (MLCOMPILE_BODY_LIMIT)' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 415, code: 'MLS_ERR_UNSUPPORTED_MEDIA_TYPE', message: `${message}; send Content-Type: application/json (or text/csv to /invocations)` };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'MLS_ERR_BAD_JSON', message: 'the body is empty; a JSON object is required' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'MLS_ERR_BAD_JSON', message: `the body is not valid JSON: ${message}` };
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'MLS_ERR_BAD_REQUEST', message };
    case 'MLR_ERR_BAD_INPUT':
      return { status: 400, code: 'MLS_ERR_BAD_INPUT', message };
    case 'MLR_ERR_KERNEL':
      return { status: 422, code: 'MLS_ERR_INFERENCE', message };
    default:
      break;
  }
  if (err.validation !== undefined) {
    return { status: 400, code: 'MLS_ERR_BAD_REQUEST', message: `invalid request: ${message}` };
  }
  // JSON.parse failures from a custom parser, or fastify errors with a client status.
  if (e instanceof SyntaxError) return { status: 400, code: 'MLS_ERR_BAD_JSON', message: `the body is not valid JSON: ${message}` };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
    const status = err.statusCode;
    const code: ServerErrorCode = status === 404 ? 'MLS_ERR_NOT_FOUND' : status === 413 ? 'MLS_ERR_BODY_TOO_LARGE' : status === 415 ? 'MLS_ERR_UNSUPPORTED_MEDIA_TYPE' : 'MLS_ERR_BAD_REQUEST';
    return { status, code, message };
  }
  return { status: 500, code: 'MLS_ERR_INTERNAL', message: `internal error: ${message}` };
}
