import { createServer, type Server, type Socket } from 'node:net';

/** A TCP server listening on address:port; rejects when the port cannot be bound (e.g. in use). */
export async function listenOn(port: number, address: string, onSocket: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onSocket);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
