/** A value that follows another once it stops changing: typed text asks the server again only after a pause. */
import { useEffect, useState } from "react";

/** Follows `value`, `ms` milliseconds after it last changed. */
export function useSettled<T>(value: T, ms = 400): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}
