// jstat ships no types; this declares only the distributions the flows report uses.
declare module 'jstat' {
  interface Distribution {
    cdf(x: number, ...parameters: number[]): number;
    inv(p: number, ...parameters: number[]): number;
  }
  export const jStat: {
    normal: Distribution;
    studentt: Distribution;
  };
}
