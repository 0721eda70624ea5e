// Several hubs behind nginx need no sticky sessions (issue 10, docs/deploy.md "Several hubs")
// because the hub speaks Socket.IO over WebSocket only: an HTTP long-polling handshake, whose
// later requests would have to reach the same hub process, is refused, while a WebSocket
// handshake is answered.
import { io } from 'socket.io-client';
import { startHub, TestHub } from './support/hub';

describe('the Socket.IO transport: WebSocket only', () => {
  let hub: TestHub;

  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(() => hub.close());

  it('refuses a long-polling handshake', async () => {
    const polling = await hub.http.get('/socket.io/').query({ EIO: '4', transport: 'polling' });
    expect(polling.status).toBe(400);
    expect(polling.body).toEqual({ code: 0, message: 'Transport unknown' });
  });

  it('answers a WebSocket handshake (the /staff namespace refuses it for want of a token)', async () => {
    const socket = io(`${hub.url}/staff`, { transports: ['websocket'], reconnection: false });
    try {
      const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
      expect(error.message).toBe('unauthorized');
    } finally {
      socket.close();
    }
  });
});
