// The agency portal (/agency/): DESIGN.md §2.6.
import "leaflet/dist/leaflet.css";
import "./theme.css";
import "./portal.css";
import "./components/portal-app.js";
