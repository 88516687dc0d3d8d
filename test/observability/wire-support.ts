/** Helpers of the wire-* tests. */
import { connect } from 'node:net';

/** The error code of a fresh TCP connection to `port` on 127.0.0.1 (`null`: it connected). */
export function connectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      resolve(error.code ?? 'error');
    });
  });
}
