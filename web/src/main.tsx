import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { initI18n } from "./i18n.ts";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    // A refused request (4xx) will not succeed by asking again; a dropped connection may.
    queries: { retry: (count, error) => count < 2 && !(((error as { status?: number }).status ?? 0) >= 400), refetchOnWindowFocus: true },
  },
});

await initI18n();
createRoot(document.getElementById("root") as HTMLElement).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
