/**
 * `listen()` bounds a client that trickles its request headers (slowloris) by the configured time, not by Node's
 * 30-second connection check.
 *
 * How it is tested without asserting a duration: a fake client over a real socket sends one header byte per tick
 * and counts the bytes it got to send before the server closed the connection. The server and the client share one
 * event loop, so a slow machine slows both alike: the count measures the bound in ticks, whatever a tick costs.
 * With a 1 s bound and a 20 ms tick, about 50 bytes go out; with Node's default check every 30 s it would be about
 * 1,500. The signal checked is Node's own for a headers timeout: a `408` answer, then the close.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../src/eventsub/webhook/index.js';
import { SECRET } from './helpers.js';

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

/** Trickles a never-ending request head, one byte per `tickMs`, until the server closes or `limit` bytes went out. */
function trickle(port: number, tickMs: number, limit: number): Promise<{ sent: number; answer: string }> {
  return new Promise((resolve, reject) => {
    const head = `POST /eventsub HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Pad: `;
    let sent = 0;
    let answer = '';
    let timer: NodeJS.Timeout | undefined;
    const socket = connect(port, '127.0.0.1');
    const stop = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    };
    const tick = (): void => {
      if (sent >= limit) {
        stop();
        socket.destroy();
        return;
      }
      socket.write(sent < head.length ? head.charAt(sent) : 'a');
      sent++;
      timer = setTimeout(tick, tickMs);
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => undefined); // a reset after the 408 is still a close
    socket.on('close', () => {
      stop();
      resolve({ sent, answer });
    });
    socket.once('connect', tick);
    socket.once('error', reject);
  });
}

describe('WebhookReceiver.listen(): slow request headers', () => {
  it('drops a client trickling its headers within the configured bound (408), not at the next 30 s check', async () => {
    const receiver = new WebhookReceiver({ secret: SECRET, bodyTimeoutMs: 1000 });
    receivers.push(receiver);
    const listener = await receiver.listen();
    const { sent, answer } = await trickle(listener.port, 20, 400);
    expect(answer.startsWith('HTTP/1.1 408')).toBe(true);
    // 1 s at one byte per 20 ms is 50 bytes; 400 would mean the bound did not hold (Node's default: ~1,500).
    expect(sent).toBeLessThan(400);
  });
});
