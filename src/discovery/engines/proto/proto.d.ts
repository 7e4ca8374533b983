// The .proto files of this folder are imported as text (`with { type: "text" }`), so that
// `bun build --compile` puts them inside the binary; grpc-api.ts parses them at run time.
declare module "*.proto" {
  const text: string;
  export default text;
}
