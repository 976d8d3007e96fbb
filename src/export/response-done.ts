/**
 * Calls back once a response is done: finished (its last byte handed to the OS), destroyed, or
 * its connection gone.
 *
 * A response's own 'close' is not enough: node queues the responses to pipelined requests until
 * those before them are answered, and when the client closes the connection the queued ones never
 * emit 'close' (measured: 99 of 100 pipelined responses after the client went away). Anything
 * released on 'close' alone would then be held for good — the scrape counted in progress, the
 * shared body it was given. So the connection's 'close' releases every response of it too, with
 * one listener per connection however many requests it pipelines.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const pendingBySocket = new WeakMap<Socket, Set<() => void>>();

export function onResponseDone(req: IncomingMessage, res: ServerResponse, done: () => void): void {
  const socket = req.socket as Socket | undefined;
  // A request without a connection (a host calling the handler directly): 'close' only.
  if (socket === undefined || socket === null) {
    let called = false;
    const once = (): void => {
      if (!called) done();
      called = true;
    };
    res.once('finish', once);
    res.once('close', once);
    return;
  }
  let pending = pendingBySocket.get(socket);
  if (pending === undefined) {
    const created = new Set<() => void>();
    pending = created;
    pendingBySocket.set(socket, created);
    socket.once('close', () => {
      for (const release of [...created]) release();
    });
  }
  const set = pending;
  let called = false;
  const once = (): void => {
    if (called) return;
    called = true;
    set.delete(once);
    done();
  };
  set.add(once);
  // 'finish': the last byte is with the OS, before the client can have read it and asked again.
  res.once('finish', once);
  res.once('close', once);
  // A socket already closed never emits 'close' again.
  if (socket.destroyed) once();
}
