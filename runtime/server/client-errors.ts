// Connection-level errors (before a request reaches a route): a client that stalls
// (sends its headers, then nothing, or trickles the body), a header block over
// Node's limit, or bytes that are not HTTP. Node reports them as 'clientError' on the
// socket; fastify's default answer is JSON in its own shape, this one answers in the
// server's `{"error", "code"}` form from the catalogue, then closes the connection
// (the request stream is in an unknown state, so it cannot be reused).

import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { SERVER_ERRORS, type ServerErrorCode } from './errors.js';

interface ConnectionError extends Error {
  readonly code?: string;
}

function classify(err: ConnectionError, requestTimeoutMs: number): { code: ServerErrorCode; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { code: 'MLS_ERR_REQUEST_TIMEOUT', message: `the request was not received in full within ${requestTimeoutMs / 1000} s (MLCOMPILE_REQUEST_TIMEOUT)` };
    case 'HPE_HEADER_OVERFLOW':
      return { code: 'MLS_ERR_HEADERS_TOO_LARGE', message: 'the request headers are larger than the server accepts (16 KiB)' };
    default:
      return { code: 'MLS_ERR_BAD_HTTP', message: 'the request is not valid HTTP/1.1' };
  }
}

/** fastify's clientErrorHandler: one JSON answer with the catalogue code, then the connection is closed. */
export function clientErrorHandler(requestTimeoutMs: number) {
  return function onClientError(err: ConnectionError, socket: Socket): void {
    // A reset connection has no one left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const { code, message } = classify(err, requestTimeoutMs);
    const status = SERVER_ERRORS[code];
    const body = JSON.stringify({ error: message, code });
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}
