/** A signed-in visitor asked for an order or callback that does not exist. */
import { Layout, type View } from './layout.js';

/** 404 inside the signed-in layout, naming what was looked for. */
export function NotFoundPage(props: { view: View; what: string; id: string }) {
  return (
    <Layout title="Not found" view={props.view}>
      <h1>No such {props.what}</h1>
      <p class="sub">
        There is no {props.what} <span class="mono">{props.id}</span>. It may have been pruned, or the id is mistyped.
      </p>
      <a href="/orders">Search orders →</a>
    </Layout>
  );
}
