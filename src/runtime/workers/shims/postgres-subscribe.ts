/**
 * Stands in for postgres.js's logical-replication `sql.subscribe` (`cf/src/subscribe.js`) in
 * the Workers bundle (wrangler.toml `[alias]`): the relay never subscribes, and the real one
 * also builds a second client per connection. Calling it throws.
 */
export default function Subscribe(): () => never {
  return () => {
    throw new Error('postgres.js subscribe is not included in the Worker bundle');
  };
}
