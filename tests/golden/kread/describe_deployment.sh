kubectl create deployment web --image=nginx --replicas=3 --port=80
sleep 20
kubectl describe deployment web
kubectl describe pod -l app=web
kubectl describe rs
kubectl run hi --image=busybox --restart=Never -- echo hi
sleep 10
kubectl describe pod/hi
kubectl run broken --image=nginx:nope
sleep 30
kubectl describe pods broken
kubectl create job j --image=busybox -- echo done
kubectl create cronjob c --image=busybox --schedule="*/5 * * * *" -- date
kubectl create configmap cfg --from-literal=a=1 --from-literal=b=two
kubectl create secret generic s --from-literal=password=hunter2
sleep 5
kubectl describe job j
kubectl describe cronjob c
kubectl describe configmap cfg
kubectl describe secret s
