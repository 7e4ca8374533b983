// elkjs's worker script, imported as text (`with { type: "text" }`): the page starts it as a Web
// Worker from a blob URL (layout/layout.ts), so it needs no URL of its own on the server.
declare module "elkjs/lib/elk-worker.min.js" {
  const source: string;
  export default source;
}
