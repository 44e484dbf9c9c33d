/**
 * The dashboard's only stylesheet, inlined in every page: no asset route, no build step,
 * nothing fetched from elsewhere (the CSP forbids it). Laptop first, readable on a phone:
 * there the tabs wrap onto more lines rather than scroll, so every one stays in sight.
 */
export const DASHBOARD_CSS = `
:root{--bg:#f5f6f8;--card:#fff;--ink:#1b1f24;--muted:#5d6673;--line:#e3e6ea;--brand:#183153;
--accent:#2563eb;--ok:#15803d;--ok-bg:#dcfce7;--warn:#b45309;--warn-bg:#fef3c7;--bad:#b91c1c;--bad-bg:#fee2e2;
--idle:#475569;--idle-bg:#e2e8f0;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{background:var(--brand);color:#fff}
header.top .bar{max-width:1180px;margin:0 auto;padding:0 20px;display:flex;align-items:center;gap:20px;flex-wrap:wrap;min-height:52px}
header.top .brand{font-weight:700;letter-spacing:.2px;color:#fff;font-size:15px;white-space:nowrap}
header.top .brand span{opacity:.65;font-weight:500}
nav.main{display:flex;gap:2px;flex-wrap:wrap;flex:1}
nav.main a{color:#dbe4f3;padding:6px 10px;border-radius:6px;font-weight:500}
nav.main a:hover{background:rgba(255,255,255,.1);text-decoration:none}
nav.main a.on{background:rgba(255,255,255,.18);color:#fff}
nav.main .count{background:var(--bad);color:#fff;border-radius:9px;padding:0 6px;font-size:11px;margin-left:4px}
header.top form button{background:transparent;border:1px solid rgba(255,255,255,.35);color:#fff}
main{max-width:1180px;margin:0 auto;padding:22px 20px 48px}
h1{font-size:22px;margin:0 0 4px}h1.mono{font-size:22px;letter-spacing:-.3px}h2{font-size:16px;margin:0 0 12px}h3{font-size:14px;margin:0 0 8px}
.sub{color:var(--muted);margin:0 0 18px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin-bottom:16px}
.grid{display:grid;gap:16px}.g2{grid-template-columns:repeat(auto-fit,minmax(340px,1fr))}
.stats{display:grid;gap:12px;grid-template-columns:repeat(auto-fit,minmax(170px,1fr));margin-bottom:16px}
.stat{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:12px 16px}
.stat .k{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.4px}
.stat .v{font-size:26px;font-weight:650;margin-top:2px}
.stat.bad{border-color:#f4b4b4;background:#fff7f7}.stat.bad .v{color:var(--bad)}
.stat.warn .v{color:var(--warn)}
.badge{display:inline-block;border-radius:999px;padding:1px 9px;font-size:12px;font-weight:600;white-space:nowrap;background:var(--idle-bg);color:var(--idle)}
.b-delivered,.b-completed{background:var(--ok-bg);color:var(--ok)}
.b-retrying,.b-sending,.b-in_progress,.b-paused{background:var(--warn-bg);color:var(--warn)}
.b-dead,.b-failed,.b-disabled,.b-cancelled{background:var(--bad-bg);color:var(--bad)}
.b-raised,.b-pending,.b-grouped{background:#dbeafe;color:#1d4ed8}
.table-wrap{overflow-x:auto;margin:0 -4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:12px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.3px;white-space:nowrap}
tr:last-child td{border-bottom:0}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.mono,code,pre{font-family:var(--mono);font-size:12.5px}
pre{background:#0f172a;color:#e2e8f0;border-radius:8px;padding:12px 14px;overflow:auto;max-height:420px;margin:8px 0 0;white-space:pre-wrap;word-break:break-word}
.muted{color:var(--muted)}.small{font-size:12px}.nowrap{white-space:nowrap}
.err{color:var(--bad);font-weight:600}
.reason{background:var(--bad-bg);border:1px solid #f4b4b4;color:#7f1d1d;border-radius:8px;padding:10px 12px;margin:10px 0}
.reason b{color:var(--bad)}
.notice{background:var(--warn-bg);border:1px solid #f3d28b;color:#78350f;border-radius:8px;padding:10px 12px;margin:0 0 16px}
.attention{border-color:#f4b4b4;border-left:4px solid var(--bad);padding:12px 18px}
.attention .line{display:flex;gap:14px;align-items:flex-start;padding:6px 0}.attention .line>div{flex:1;min-width:0;word-break:break-word}
.attention .line+.line{border-top:1px solid #f6d5d5}
.attention .label{flex:none;width:52px;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.5px;color:var(--bad);padding-top:3px}
.flash{background:var(--ok-bg);border:1px solid #a7e3b8;color:#14532d;border-radius:8px;padding:10px 12px;margin:0 0 16px}
button,.btn{font:inherit;font-weight:600;border-radius:7px;padding:6px 14px;border:1px solid var(--line);background:#fff;color:var(--ink);cursor:pointer}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
button:hover{filter:brightness(.95)}
form.inline{display:inline}
details.confirm{display:inline-block;position:relative;vertical-align:top}
details.confirm>summary{list-style:none;display:inline-block;font-weight:600;font-size:13px;color:var(--muted);border:1px solid var(--line);border-radius:7px;padding:4px 10px;background:#fff}
details.confirm>summary::-webkit-details-marker{display:none}
details.confirm>summary:after{content:" ▾";font-size:11px}
details.confirm[open]>summary{color:var(--ink);border-color:#cbd2da}
details.confirm .confirm-body{display:flex;flex-direction:column;gap:8px;align-items:flex-start;margin-top:6px;padding:10px 12px;min-width:220px;max-width:320px;background:#fff;border:1px solid #f4b4b4;border-radius:8px}
details.confirm .confirm-body p{margin:0;color:var(--ink)}
fieldset.channels{border:1px solid var(--line);border-radius:7px;margin:8px 0 0;padding:6px 10px 8px;display:flex;flex-wrap:wrap;gap:4px 14px}
fieldset.channels legend{font-size:12px;font-weight:600;padding:0 4px}
label.check{white-space:nowrap}
input[type=text],input[type=password],input[type=search],select,textarea{font:inherit;border:1px solid #cbd2da;border-radius:7px;padding:7px 10px;background:#fff;color:var(--ink);max-width:100%}
textarea{width:100%;min-height:180px;font-family:var(--mono);font-size:12.5px}
.toolbar{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin-bottom:14px}
.toolbar input[type=search]{flex:1;min-width:200px}
.filters a{padding:4px 10px;border-radius:999px;border:1px solid var(--line);background:#fff;color:var(--ink);font-size:13px}
.filters a.on{background:var(--brand);border-color:var(--brand);color:#fff}
.timeline{position:relative;margin-left:8px;padding-left:22px;border-left:2px solid var(--line)}
.tl-item{position:relative;margin-bottom:16px}
.tl-item:before{content:"";position:absolute;left:-30px;top:18px;width:12px;height:12px;border-radius:50%;background:#94a3b8;border:2px solid var(--bg)}
.tl-item.failed:before,.tl-item.dead:before{background:var(--bad)}.tl-item.completed:before{background:var(--ok)}
.tl-item.stale:before{background:var(--bg);border-color:#94a3b8;border-style:dashed}.tl-item.stale>.card{opacity:.8}
.stale-note{border-left:3px solid #94a3b8;padding-left:8px}
.head{display:flex;gap:10px;align-items:center;flex-wrap:wrap;justify-content:space-between}
.head .left{display:flex;gap:10px;align-items:center;flex-wrap:wrap}
.delivery{border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin-top:12px;background:#fcfcfd}
.delivery.dead{border-color:#f4b4b4;background:#fffafa}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
dl.kv dt{color:var(--muted)}dl.kv dd{margin:0;word-break:break-word}
details summary{cursor:pointer;color:var(--accent);font-weight:500}
.chart svg{width:100%;height:auto;display:block}
.legend{display:flex;gap:14px;font-size:12px;color:var(--muted);margin-top:6px;flex-wrap:wrap}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.pager{margin-top:12px}
.login{max-width:400px;margin:9vh auto;padding:0 16px}
.login .card{padding:26px}
.login input{width:100%;margin:6px 0 14px}
.login button{width:100%}
.empty{color:var(--muted);padding:18px 0;text-align:center}
@media (max-width:640px){
 header.top .bar{padding:8px 12px 0;gap:8px}main{padding:14px 12px 40px}
 header.top form{margin-left:auto}
 nav.main{order:3;flex:0 0 100%;flex-wrap:wrap;gap:2px 0;padding-bottom:6px}
 nav.main a{white-space:nowrap;padding:5px 8px}
 .stat .v{font-size:21px}.card{padding:12px}th,td{padding:7px 6px}
 .hide-sm{display:none}dl.kv{grid-template-columns:1fr}dl.kv dt{margin-top:6px}
}
`;
