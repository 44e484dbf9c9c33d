import pkg from '../../package.json' with { type: 'json' };
/** The release, sent as `user-agent: colt-relay/<version>` and shown by /healthz. */
export const VERSION: string = pkg.version;
