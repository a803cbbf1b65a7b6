// happy-dom's IntersectionObserver never reports anything: without it, visibility.ts
// treats every element as near the viewport (tests of the lazy path bring their own).
Reflect.deleteProperty(globalThis, "IntersectionObserver");
