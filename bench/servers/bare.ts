import Fastify from 'fastify';

// Child process of bench/api.ts: the floor Habla is measured against. The same Fastify
// version, one route, no auth, no validation, no database: it sends the bytes it is given.

process.once('message', async (message: { body: string }) => {
  const body = Buffer.from(message.body);
  const app = Fastify({ logger: false });
  app.get('/v1/call/:id', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  process.send!({ ready: true, port: typeof address === 'object' && address ? address.port : 0 });
  process.on('disconnect', () => {
    void app.close().finally(() => process.exit(0));
  });
});
