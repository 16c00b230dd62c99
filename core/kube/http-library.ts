/**
 * The HTTP library under client-node's generated configuration, extended with two things the stock one lacks:
 * a per-call AbortSignal (so every call has a timeout), and the raw JSON body of the answer (so callers get the
 * object exactly as the server sent it, not client-node's typed model with Dates).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { IsomorphicFetchHttpLibrary, ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext } from '@kubernetes/client-node';

export interface CallScope {
  signal: AbortSignal;
  /** Sent instead of client-node's serialisation, which would drop unknown fields and choke on string dates. */
  body?: string;
  lastBody?: string;
}

export const callScope = new AsyncLocalStorage<CallScope>();

export function abortableHttpLibrary(): HttpLibrary {
  const inner = new IsomorphicFetchHttpLibrary();
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      const scope = callScope.getStore();
      if (scope !== undefined) request.setSignal(scope.signal);
      if (scope?.body !== undefined && request.getHttpMethod() !== 'GET') request.setBody(scope.body);
      const response = await inner.send(request).toPromise();
      const text = await response.body.text();
      if (scope !== undefined) scope.lastBody = text;
      return new ResponseContext(response.httpStatusCode, response.headers, {
        text: () => Promise.resolve(text),
        binary: () => Promise.resolve(Buffer.from(text)),
      });
    },
  });
}
