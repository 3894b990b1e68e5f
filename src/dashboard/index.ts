export { startDashboard, type Dashboard } from "./server.js";
export { DashboardApi } from "./api.js";
