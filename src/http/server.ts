import { createServer, maxHeaderSize, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createTlsServer } from '../tls.js';
import { rawErrorResponse } from './app.js';
import type { Logger } from './request-log.js';
import { S3Error } from '../s3/s3-error.js';

export interface S3ServerOptions {
  /** Milliseconds; see request-timeout.ts. 0 disables the header timeout (the app's body limits read the same setting). */
  requestTimeout: number;
  /** Serve https with this PEM certificate and key. */
  tls?: { cert: string; key: string };
  /** A notice per request the parser refused; unset: silent. */
  log?: Logger;
}

/**
 * The http(s) server around the app: slow-client limits, keep-alive for SDK clients, and an S3
 * error document for the requests Node's HTTP parser refuses before the app sees them.
 */
export function createS3Server(listener: RequestListener, options: S3ServerOptions): Server {
  const serverOptions: ServerOptions = {
    headersTimeout: options.requestTimeout,
    // Node's whole-request limit (300 s by default) would cut off a large upload on a slow but
    // steady link; the body's idle and rate limits (request-timeout.ts) replace it.
    requestTimeout: 0,
    // Node checks header timeouts on this period (30 s by default): a fraction of the limit keeps it close.
    ...(options.requestTimeout > 0 ? { connectionsCheckingInterval: Math.min(1000, Math.max(10, Math.floor(options.requestTimeout / 4))) } : {}),
    // Node answers an HTTP/1.1 request without Host with a bare 400; the app answers it with S3's
    // error document instead (resolve.ts).
    requireHostHeader: false,
  };
  const server = options.tls ? createTlsServer(options.tls, serverOptions, listener) : createServer(serverOptions, listener);
  // SDK clients keep connections open between calls; keep them a while longer than Node's 5 s.
  server.keepAliveTimeout = 60_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket, options.log));
  // Node answers an Expect other than 100-continue with a bare 417; RFC 9110 §10.1.1 lets a server
  // ignore an expectation it does not know instead (MAY 417), so the request goes to the app.
  server.on('checkExpectation', listener);
  return server;
}

/**
 * Node's default for a refused request writes a bare 400 (or 408/431); S3 clients expect its
 * XML error document. As Node's default does (lib/_http_server.js, socketOnError), the answer
 * is written only when the socket is still writable and no response to this connection has started
 * (a parse error in a request body arrives while the app's response to it is pending); otherwise
 * the connection is dropped. Either way the socket is closed: the parser cannot resume.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex, log: S3ServerOptions['log']): void {
  const pending = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
    socket.destroy();
    return;
  }
  const answer = clientErrorOf(err);
  log?.notice('warning', `unparsable request: ${answer.status} ${answer.code} (${err.code ?? 'error'}: ${err.message})`);
  socket.end(rawErrorResponse(answer), () => socket.destroy());
}

/** The S3 error for a request Node's parser refused, by the parser's error code. */
export function clientErrorOf(err: NodeJS.ErrnoException): S3Error {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      // The headers did not arrive within requestTimeout.
      return new S3Error('RequestTimeout');
    case 'HPE_HEADER_OVERFLOW':
      // S3's answer to an oversized header section: 400 RequestHeaderSectionTooLarge with MaxSizeAllowed.
      return new S3Error('RequestHeaderSectionTooLarge', undefined, { MaxSizeAllowed: maxHeaderSize });
    default:
      // A request that is not HTTP/1.1 as RFC 9112 frames it (a control character in a header,
      // a malformed chunk, Content-Length with Transfer-Encoding …): S3's front end answers 400.
      return new S3Error('BadRequest');
  }
}
