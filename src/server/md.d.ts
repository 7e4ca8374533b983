// Markdown imported as text (`with { type: "text" }`), so the binary embeds it: the playground's
// example tabs come from docs/graphql.md.
declare module "*.md" {
  const text: string;
  export default text;
}
