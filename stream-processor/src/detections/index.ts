import type { Detection } from "../engine/detection.ts";
import { bruteForce } from "./brute-force.ts";
import { dcsync } from "./dcsync.ts";
import { sensitiveGroupAddition } from "./sensitive-group-addition.ts";

export { bruteForce, dcsync, sensitiveGroupAddition };

/** Every detection Vigil ships, in catalog order. */
export const allDetections: readonly Detection[] = [bruteForce, dcsync, sensitiveGroupAddition];
