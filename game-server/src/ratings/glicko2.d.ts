// Types for the `glicko2` package (mmai/glicko2js, plain JavaScript): what ratings/glicko.ts uses of it.
declare module "glicko2" {
  export interface Glicko2Player {
    getRating(): number;
    getRd(): number;
    getVol(): number;
  }
  export class Glicko2 {
    constructor(settings?: { tau?: number; rating?: number; rd?: number; vol?: number });
    makePlayer(rating?: number, rd?: number, vol?: number): Glicko2Player;
    /** Each match: [player, opponent, outcome for the player: 1 win, 0.5 draw, 0 loss]. */
    updateRatings(matches: Array<[Glicko2Player, Glicko2Player, number]>): void;
  }
}
