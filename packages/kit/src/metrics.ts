import client from 'prom-client';

export type Registry = client.Registry;
export { client as prom };

/** A registry with the process's default metrics, labelled with the service name. */
export function createRegistry(service: string): client.Registry {
  const registry = new client.Registry();
  registry.setDefaultLabels({ service });
  client.collectDefaultMetrics({ register: registry });
  return registry;
}
