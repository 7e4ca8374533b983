// Mutation payloads carry what went wrong with the input as `userErrors { field message code }`
// (Shopify's rule, GitHub's too for some mutations): a bad rule is an answer the client shows
// next to the field, not a failed request. Errors that are not the input's fault (the database
// cannot be written) stay GraphQL errors with a code.

import { builder } from "../builder.ts";

export type UserErrorCode = "INVALID" | "TAKEN" | "NOT_FOUND" | "BUILT_IN";

export interface UserErrorShape {
  /** The path to the input field at fault, from the mutation's argument (["input", "condition", "wildcardListener", "allowPorts", "2"]); null when no one field is. */
  field: string[] | null;
  message: string;
  code: UserErrorCode;
}

export const UserErrorCodeEnum = builder.enumType("UserErrorCode", {
  description: "What kind of problem an input has.",
  values: {
    INVALID: { value: "INVALID", description: "A value is not acceptable (the message says why)." },
    TAKEN: { value: "TAKEN", description: "A name that must be unique is in use." },
    NOT_FOUND: { value: "NOT_FOUND", description: "The thing the input names does not exist." },
    BUILT_IN: { value: "BUILT_IN", description: "A built-in thing cannot be changed that way." },
  } as const,
});

export const UserErrorRef = builder.objectRef<UserErrorShape>("UserError").implement({
  description: "Something wrong with a mutation's input.",
  fields: (t) => ({
    field: t.exposeStringList("field", { nullable: true, description: "The path to the input field at fault, starting with the argument's name; null when the input as a whole is." }),
    message: t.exposeString("message", { description: "What is wrong, in words to show a user." }),
    code: t.field({ type: UserErrorCodeEnum, description: "What kind of problem it is.", resolve: (e) => e.code }),
  }),
});

/** A problem a service reported about the input (an AlertRuleError, told by its name and fields, not its class: src/schema does not import the alert engine). */
export function asUserError(err: unknown, toPath: (field: string | null) => string[] | null): UserErrorShape | null {
  if (!(err instanceof Error) || err.name !== "AlertRuleError") return null;
  const e = err as Error & { field?: string | null; code?: UserErrorCode };
  return { field: toPath(e.field ?? null), message: e.message, code: e.code ?? "INVALID" };
}
