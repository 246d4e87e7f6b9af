/** Where the gateways' shared Redis is: one server, or seed nodes of a Redis Cluster. */
export interface RedisTarget {
  cluster: boolean;
  nodes: Array<{ host: string; port: number }>;
  /** The URL as given, for a single server (ioredis reads every option it carries). */
  url: string;
  username?: string;
  password?: string;
  tls: boolean;
}

const FORM = /^(rediss?):\/\/(?:([^@/]*)@)?([^/?#@]+)(\/\d*)?$/;

/**
 * Reads `REDIS_URL`: `redis[s]://[user:password@]host[:port][/db]` for one server, or
 * `redis[s]://[user:password@]host:port,host:port,…` naming nodes of a Redis Cluster (any
 * few are enough: the rest are discovered). Several nodes, or `cluster` set, mean a cluster;
 * a cluster has no database number. Throws an Error saying what is wrong.
 */
export function parseRedisUrl(value: string, cluster: boolean): RedisTarget {
  const m = FORM.exec(value.trim());
  if (!m) throw new Error('must be redis[s]://[user:password@]host:port[,host:port…][/db]');
  const [, scheme, auth, hostList, db] = m;
  const nodes = hostList!.split(',').map((entry) => {
    const n = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
    const port = n?.[2] === undefined ? 6379 : Number(n[2]);
    if (!n || port < 1 || port > 65535) throw new Error(`"${entry}" is not host:port`);
    return { host: n[1]!.replace(/^\[|\]$/g, ''), port };
  });
  const isCluster = cluster || nodes.length > 1;
  if (isCluster && db !== undefined && db !== '/' && db !== '/0') throw new Error('a Redis Cluster has no database number');
  let username: string | undefined;
  let password: string | undefined;
  if (auth !== undefined && auth !== '') {
    const colon = auth.indexOf(':');
    username = colon < 0 ? undefined : decodeURIComponent(auth.slice(0, colon)) || undefined;
    password = decodeURIComponent(colon < 0 ? auth : auth.slice(colon + 1)) || undefined;
  }
  return {
    cluster: isCluster,
    nodes,
    url: value.trim(),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
    tls: scheme === 'rediss',
  };
}
