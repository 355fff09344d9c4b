/** The part of seek-bzip (pure-JavaScript bzip2 decoder) that goodhart uses. */
declare module 'seek-bzip' {
  const Bunzip: { decode(input: Uint8Array | Buffer): Buffer };
  export default Bunzip;
}
