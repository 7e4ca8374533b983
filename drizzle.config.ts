// drizzle-kit (Node side only): generates the SQL migrations from the store's schema.
// Use `npm run db:generate`, which also embeds them into the binary.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/drizzle-kit-schema.cjs",
  out: "./src/store/migrations",
});
