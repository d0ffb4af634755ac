import { useCallback, useEffect, useState } from 'react';
import { parseRoute, type Route, routeToPath } from '../lib/route.js';

const current = () => parseRoute(window.location.pathname, window.location.search);

/** The current route from the URL, plus navigation that keeps the back button working. */
export function useRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(current);

  useEffect(() => {
    // Checkout markers are one-shot: tidy the address bar so a reload does not repeat the notice.
    const initial = current();
    if (`${window.location.pathname}${window.location.search}` !== routeToPath(initial)) {
      window.history.replaceState(null, '', routeToPath(initial));
    }
    const onPop = () => setRoute(current());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const navigate = useCallback((next: Route) => {
    const path = routeToPath(next);
    if (path !== `${window.location.pathname}${window.location.search}`) window.history.pushState(null, '', path);
    setRoute(next);
    window.scrollTo(0, 0);
  }, []);

  return [route, navigate];
}
