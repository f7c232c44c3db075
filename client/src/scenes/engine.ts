/**
 * The entry of the lazily loaded game-engine chunk (boardEngine.ts): Phaser
 * and the board scene. Nothing in the lobby imports this file statically.
 */
export { default as Phaser } from "phaser";
export { GameScene } from "./GameScene.ts";
